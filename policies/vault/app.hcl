# arbokluis-app: the policy of the application token.
#
# Every path is spelled out. Nothing here reaches transit/export, transit/backup,
# transit/restore, transit/import, transit/datakey/plaintext, key deletion or
# anything under sys/. Tokens carrying this policy are created with
# no_default_policy, so the default policy's sys/ paths are absent as well.

# Dossier keys: create (aes256-gcm96, never exportable), read, rotate, and
# raise the minimum decryption version after a rewrap. Transit creates a key
# on an update of keys/<name> (it has no existence check, so Vault's "create"
# capability plays no part). The glob also matches keys/dossier-*/rotate,
# /config and /trim; the parameter list below makes deletion_allowed,
# exportable=true, allow_plaintext_backup and trim's min_available_version
# impossible, and there is no delete capability.
path "transit/keys/dossier-*" {
  capabilities = ["update", "read"]
  allowed_parameters = {
    "type"                   = ["aes256-gcm96"]
    "exportable"             = [false, "false"]
    "min_decryption_version" = []
    "min_encryption_version" = []
  }
}

path "transit/encrypt/dossier-*" {
  capabilities = ["update"]
}

path "transit/decrypt/dossier-*" {
  capabilities = ["update"]
}

path "transit/rewrap/dossier-*" {
  capabilities = ["update"]
}

path "transit/datakey/wrapped/dossier-*" {
  capabilities = ["update"]
}

# The service-wide key for BSNs: encrypt, decrypt and a keyed hash for lookup.
path "transit/keys/pii" {
  capabilities = ["read"]
}

path "transit/encrypt/pii" {
  capabilities = ["update"]
}

path "transit/decrypt/pii" {
  capabilities = ["update"]
}

path "transit/hmac/pii" {
  capabilities = ["update"]
}

# The key for employee activation codes: the application creates it on
# first use (non-exportable aes256-gcm96, the parameters pinned as for
# dossier keys; the exact path, so no /config, /rotate or /trim), keys a
# code with an HMAC and verifies a code against the stored HMAC. It never
# encrypts anything.
path "transit/keys/activation-code" {
  capabilities = ["update", "read"]
  allowed_parameters = {
    "type"       = ["aes256-gcm96"]
    "exportable" = [false, "false"]
  }
}

path "transit/hmac/activation-code" {
  capabilities = ["update"]
}

path "transit/verify/activation-code" {
  capabilities = ["update"]
}

# The audit checkpoint signing key (ed25519): sign, verify and read the
# public key.
path "transit/keys/audit-checkpoint" {
  capabilities = ["read"]
}

path "transit/sign/audit-checkpoint" {
  capabilities = ["update"]
}

path "transit/verify/audit-checkpoint" {
  capabilities = ["update"]
}

# The token's own upkeep.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}
