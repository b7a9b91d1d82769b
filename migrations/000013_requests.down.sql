DROP TABLE hr.requests;
