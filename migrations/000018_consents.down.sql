DROP TABLE medical.transfers;
DROP TABLE medical.disclosures;
DROP TABLE medical.information_requests;
DROP TABLE medical.consents;
DROP DOMAIN medical.disclosure_purpose;
DROP DOMAIN medical.recipient_kind;
