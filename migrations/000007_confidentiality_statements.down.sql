DROP TABLE hr.confidentiality_statements;
