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

# uv builds the venv from uv.lock. Debian's own python3 refuses `pip install` into the system
# (PEP 668), so a missing uv goes into a private tools venv instead.
uv=$(command -v uv || true)
if [[ -z "$uv" ]]; then
  uv=.tools/bin/uv
  if [[ ! -x "$uv" ]]; then
    echo "setup: installing uv into .tools/"
    if ! python3 -m venv .tools >/dev/null 2>&1; then
      sudo=""; [[ $EUID -ne 0 ]] && sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv .tools
    fi
    .tools/bin/python -m pip install --quiet --disable-pip-version-check uv 2>&1 \
      | grep -v "ignored" || true
  fi
fi
UV_PYTHON_DOWNLOADS=never "$uv" sync --frozen --quiet ${UV_SYNC_GROUPS:-}
