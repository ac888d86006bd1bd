#!/usr/bin/env bash
# Install what parkgeo needs on Debian/Ubuntu, idempotently and quietly:
#   scripts/setup.sh          runtime: PostgreSQL 15 + PostGIS 3, a CJK font, the venv
#   scripts/setup.sh --test   also Chromium (page tests) and poppler-utils (PDF text checks)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(postgresql-15-postgis-3 fonts-noto-cjk)
[[ "${1:-}" == "--test" ]] && packages+=(chromium poppler-utils)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""; [[ $EUID -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
  # A new font leaves matplotlib's font cache stale.
  rm -rf "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "setup: installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv 2>&1 | grep -v "ignored" || true
fi
UV_PYTHON_DOWNLOADS=never uv sync --frozen --quiet ${UV_SYNC_GROUPS:-}
