#!/usr/bin/env bash
# Installs the command-line tools the tests use that Go cannot fetch:
# pdftotext and pdftoppm (poppler-utils), to read rendered PDFs.
set -euo pipefail

die() { echo "tools: $*" >&2; exit 1; }

if command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  die "pdftotext is not installed and this user is not root; run: sudo apt-get install -y poppler-utils"
fi
echo "tools: installing poppler-utils with apt-get"
DEBIAN_FRONTEND=noninteractive apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
command -v pdftotext >/dev/null || die "poppler-utils installed but pdftotext not found"
