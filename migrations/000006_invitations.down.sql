ALTER TABLE hr.employers DROP COLUMN mail_domains;
DROP TABLE hr.notifications;
DROP TABLE hr.invitations;
