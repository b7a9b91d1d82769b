DROP TABLE hr.login_failures;
DROP TABLE hr.sessions;
DROP TABLE hr.role_grants;
DROP TABLE hr.users;
