DROP TABLE medical.release_entries, medical.releases;
