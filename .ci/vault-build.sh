#!/usr/bin/env bash
# vault-build.sh builds the pinned Vault server into .local/bin/vault from the
# Go module proxy. It does nothing when the binary for the pin already exists.
set -euo pipefail

VAULT_VERSION=${VAULT_VERSION:-v1.21.1}
VAULT_ZIPHASH='h1:4bYxh55jSitPOs5+iPshEdDhBLeXCm6BjGDIV1vYzys='
root=$(cd "$(dirname "$0")/.." && pwd)
local_dir="$root/.local"
bin="$local_dir/bin/vault"
stamp="$local_dir/bin/vault.version"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$VAULT_VERSION" ]]; then
  exit 0
fi

# A machine-wide cache lets further checkouts on the same machine skip the
# slow build; the binary is keyed by the pinned version.
cache_dir=${ARBOKLUIS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/arbokluis}
cached="$cache_dir/vault-$VAULT_VERSION"
mkdir -p "$local_dir/bin"
if [[ -x "$cached" ]] && "$cached" version >/dev/null 2>&1; then
  cp "$cached" "$bin.tmp" && mv "$bin.tmp" "$bin"
  echo "$VAULT_VERSION" > "$stamp"
  echo "vault: using the cached build of $VAULT_VERSION"
  exit 0
fi

echo "vault: building Vault $VAULT_VERSION from the Go module proxy (takes about 9 minutes on 2 cores the first time)"
mkdir -p "$local_dir/bin"
export GONOSUMDB=github.com/hashicorp/vault
export GOFLAGS=-mod=mod
info=$(cd /tmp && go mod download -json "github.com/hashicorp/vault@$VAULT_VERSION")
dir=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
ziphash_file=$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Zip": "\(.*\)",$/\1/p')hash
[[ -n "$dir" && -d "$dir" ]] || { echo "vault: module directory not found" >&2; exit 1; }
got=$(cat "$ziphash_file")
if [[ "$got" != "$VAULT_ZIPHASH" ]]; then
  echo "vault: module hash mismatch: got $got, want $VAULT_ZIPHASH" >&2
  exit 1
fi

work="$local_dir/vault-src"
rm -rf "$work"
mkdir -p "$work"
cp -r "$dir"/. "$work"/
chmod -R u+w "$work"
rm -rf "$work/ui" "$work/website" "$work/enos"
cd "$work"
go mod edit \
  -replace github.com/hashicorp/vault/sdk=github.com/hashicorp/vault/sdk@v0.20.0 \
  -replace github.com/hashicorp/vault/api=github.com/hashicorp/vault/api@v1.22.0 \
  -replace github.com/hashicorp/vault/api/auth/kubernetes=github.com/hashicorp/vault/api/auth/kubernetes@v0.10.0 \
  -replace github.com/hashicorp/vault/api/auth/approle=github.com/hashicorp/vault/api/auth/approle@v0.1.0 \
  -replace github.com/hashicorp/vault/api/auth/userpass=github.com/hashicorp/vault/api/auth/userpass@v0.1.0
cat >> go.sum <<'SUM'
github.com/hashicorp/vault/api v1.22.0 h1:+HYFquE35/B74fHoIeXlZIP2YADVboaPjaSicHEZiH0=
github.com/hashicorp/vault/api v1.22.0/go.mod h1:IUZA2cDvr4Ok3+NtK2Oq/r+lJeXkeCrHRmqdyWfpmGM=
github.com/hashicorp/vault/api/auth/kubernetes v0.10.0 h1:5rqWmUFxnu3S7XYq9dafURwBgabYDFzo2Wv+AMopPHs=
github.com/hashicorp/vault/api/auth/kubernetes v0.10.0/go.mod h1:cZZmhF6xboMDmDbMY52oj2DKW6gS0cQ9g0pJ5XIXQ5U=
github.com/hashicorp/vault/sdk v0.20.0 h1:a4ulj2gICzw/qH0A4+6o36qAHxkUdcmgpMaSSjqE3dc=
github.com/hashicorp/vault/sdk v0.20.0/go.mod h1:xEjAt/n/2lHBAkYiRPRmvf1d5B6HlisPh2pELlRCosk=
SUM
CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -buildvcs=false -trimpath -tags minimal -ldflags "-s -w" -o "$bin.tmp" .
mv "$bin.tmp" "$bin"
echo "$VAULT_VERSION" > "$stamp"
cd "$root"
rm -rf "$work"
mkdir -p "$cache_dir" && cp "$bin" "$cached.tmp" && mv "$cached.tmp" "$cached" || true
echo "vault: built $("$bin" version)"
