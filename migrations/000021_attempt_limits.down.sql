DROP INDEX hr.login_failures_last_failure_idx;
ALTER TABLE hr.login_failures
    DROP CONSTRAINT login_failures_failures_check,
    DROP CONSTRAINT login_failures_unaudited_check,
    DROP COLUMN unaudited,
    DROP COLUMN user_id;
DROP TABLE hr.auth_attempts;
