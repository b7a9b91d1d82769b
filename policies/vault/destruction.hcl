# arbokluis-destruction: the policy of the destruction token, used only by the
# destruction workflow (crypto-shredding of a dossier's keys).
#
# It may set deletion_allowed=true on a dossier key and delete that key. It
# cannot encrypt, decrypt, export, back up, restore, trim, change decryption
# versions or reach sys/. Every write must carry deletion_allowed
# (required_parameters), and it is the only parameter accepted; Vault does not
# check parameters on delete.
#
# Known residue, accepted: transit ignores parameters it does not know, so a
# write of deletion_allowed=true to keys/dossier-<x>/rotate rotates that key,
# and one to keys/dossier-<x> for a missing key creates a default
# (non-exportable) key. Neither exposes key material or makes data
# undecryptable. Closing it would need "+" paths, which would lose the
# dossier- prefix and let this token reach the pii and audit-checkpoint keys.
path "transit/keys/dossier-*" {
  capabilities        = ["update", "delete"]
  required_parameters = ["deletion_allowed"]
  allowed_parameters = {
    "deletion_allowed" = [true, "true"]
  }
}

path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}
