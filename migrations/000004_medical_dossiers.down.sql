DROP TABLE medical.dossiers;
