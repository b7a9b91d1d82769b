# arbokluis-destruction: the policy of the destruction token, used only by the
# destruction workflow (crypto-shredding of a dossier's keys).
#
# It may set deletion_allowed=true on a dossier key and delete that key,
# nothing else: no encrypt, decrypt, export, backup, restore, trim or sys/.
# Every write must carry deletion_allowed (required_parameters), and it is the
# only parameter accepted. Vault does not check parameters on delete.
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
