-- Mails still queued are lost with the table; their links keep working
-- until they expire, and a user can ask for a new reset.
DROP TABLE hr.mail_outbox;
