#!/usr/bin/env bash
# Installs the command-line tools the tests and lint use that Go cannot fetch:
# pdftotext and pdftoppm (poppler-utils), to read rendered PDFs, npm, and
# Chromium, the headless browser the web portal's tests drive.
set -euo pipefail

die() { echo "tools: $*" >&2; exit 1; }

need=()
command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || need+=(poppler-utils)
# npm installs the pinned Redocly CLI that make lint runs on the OpenAPI text.
command -v npm >/dev/null || need+=(nodejs npm)
# Debian's chromium, driven by chromedp in the browser tests (internal/testenv).
# --no-install-recommends below keeps it to the browser itself.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  die "missing ${need[*]} and this user is not root; run: sudo apt-get install -y ${need[*]}"
fi
echo "tools: installing ${need[*]} with apt-get"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
command -v pdftotext >/dev/null || die "poppler-utils installed but pdftotext not found"
command -v npm >/dev/null || die "npm installed but not found"
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium not found"
