ALTER TABLE hr.employers DROP COLUMN mail_domains;
DROP TABLE hr.notifications;
DROP TABLE hr.recovery_codes;
DROP TABLE hr.one_time_links;
