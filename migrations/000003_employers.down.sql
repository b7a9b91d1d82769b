DROP TABLE hr.employers;
