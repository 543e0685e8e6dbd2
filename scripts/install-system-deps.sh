#!/usr/bin/env bash
# Install the Debian/Ubuntu system packages Ledger needs. Idempotent and quick when
# everything is already installed: apt is only run for packages that are missing.
#   Pango/HarfBuzz subsetter/fontconfig/Noto CJK: WeasyPrint PDFs with Chinese text
#   texlive-lang-chinese: the Fandol fonts (GPL with the font exception), cut by `make fonts`
#     for the documents' 仿宋 body and 小标宋-like title (GB/T 9704); about 70 MB with texlive-base
#   poppler-utils: pdftotext/pdffonts/pdfinfo/pdfdetach used by the document tests
#   zbar-tools: zbarimg decodes the documents' QR codes in the tests
#   chromium: headless browser for the Playwright UI tests
#   nodejs, npm: `npm ci` installs the web UI's front-end packages (when no node/npm is on PATH)
#   redis-server: the shared login rate-limit store of the production settings (tested by make test)
set -euo pipefail

PACKAGES=(
  libpango-1.0-0
  libpangoft2-1.0-0
  libharfbuzz-subset0
  fonts-noto-cjk
  texlive-lang-chinese
  poppler-utils
  zbar-tools
  fontconfig
  chromium
  redis-server
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-deps: this script needs Debian/Ubuntu (dpkg, apt-get)." >&2
  echo "Install by other means: ${PACKAGES[*]}" >&2
  exit 1
fi

# The front-end packages come from npm; a machine that already has Node.js (e.g. a newer one
# from elsewhere) keeps it.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

# A Debian python3 without ensurepip cannot create the virtualenv.
if ! command -v python3 >/dev/null 2>&1; then
  PACKAGES+=(python3 python3-venv)
elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  PACKAGES+=(python3-venv)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if (( ${#missing[@]} == 0 )); then
  echo "install-system-deps: all system packages present."
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-system-deps: missing ${missing[*]}; run as root or install sudo." >&2
    exit 1
  fi
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run to release its lock instead of failing at once.
APT_OPTS=(-o DPkg::Lock::Timeout=600)
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${APT_OPTS[@]}" install -y --no-install-recommends "${missing[@]}"
