DROP TABLE hr.advices, hr.verdicts;
