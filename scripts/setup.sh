#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine: system packages, npm dependencies, TypeScript build.
# Fast when everything is already present: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  ghostscript          # PDF rasterizer (spawned, never linked)
  libtiff-tools        # tiffinfo/tiffcp, used by tests to validate TIFF Class F output
  qpdf                 # PDF page count and password check in preflight; encrypted/damaged PDFs in tests
  poppler-utils        # pdftoppm/pdfinfo for tests
  libxml2-utils        # xmllint validates SOAP feedback against the XSD
  swaks                # third-party SMTP client in tests
  imagemagick          # baseline in bench/render, fixtures in tests
  zip                  # builds docx/odt/zip fixtures in the attachment detection tests
  time                 # GNU time: CPU seconds of the whole process tree in bench/render
  fontconfig fonts-dejavu-core fonts-noto-core fonts-noto-cjk   # text pages in every script
  chromium             # browser tests of the web pages (driven by playwright-core)
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui   # office converter (soffice → PDF)
  python3-uno          # drives the warm LibreOffice instances (src/render/office-pool.ts; without it: cold per document)
  libheif-examples     # heif-convert: HEIC/HEIF photos (the iPhone default), decoded in a limited process
  libspandsp-dev libtiff-dev pkg-config gcc   # native/t30check: the fax compliance check (`faxgate render --check`)
  postgresql-15        # the PostgreSQL state engine's tests start a private server (test/helpers/postgres.ts); never run as a service
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The HylaFAX line's real components for its test tiers (hfaxd/faxq/faxgetty, iaxmodem soft modems). hylafax-server
# depends on a mail transport agent: nullmailer goes in first, on its own, so apt does not pull in exim4. Daemons are
# never started here (each test starts its own on a private spool); Debian's postinst runs faxsetup non-interactively.
FAX_PACKAGES=(hylafax-server hylafax-client iaxmodem)
fax_missing=()
for p in nullmailer "${FAX_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || fax_missing+=("$p")
done
if [ ${#fax_missing[@]} -gt 0 ]; then
  echo "setup: installing the HylaFAX line's packages: ${fax_missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  [ ${#missing[@]} -gt 0 ] || $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nullmailer >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${FAX_PACKAGES[@]}" >/dev/null
fi

# npm dependencies: reinstall only when the lock file changed since the last install.
lockhash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.faxgate-lock 2>/dev/null)" != "$lockhash" ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lockhash" > node_modules/.faxgate-lock
fi

# The fax compliance helper: two spandsp fax engines in one process, rebuilt only when its source is newer.
T30CHECK=native/build/t30check
if [ ! -x "$T30CHECK" ] || [ native/t30check/t30check.c -nt "$T30CHECK" ]; then
  echo "setup: building $T30CHECK" >&2
  mkdir -p native/build
  # shellcheck disable=SC2046 # pkg-config prints several words on purpose
  cc -O2 -Wall -Wextra -std=c11 -o "$T30CHECK" native/t30check/t30check.c $(pkg-config --cflags --libs spandsp) -ltiff
fi

# Build when any source is newer than the last build.
if [ ! -f dist/.stamp ] || [ -n "$(find src bench fixtures/generate.ts tsconfig*.json -newer dist/.stamp -print -quit)" ]; then
  echo "setup: building" >&2
  npx tsc -p tsconfig.build.json
  touch dist/.stamp
fi
