#!/usr/bin/env bash
# Shared set-up for ./run and ./test: system packages (when root), the virtualenv, the
# project and its translations. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

extras="postgres"
[ "${1:-}" = "dev" ] && extras="postgres,dev"

# --- system packages -------------------------------------------------------------------------
# Fonts and HarfBuzz's subsetter for Chinese PDFs (WeasyPrint); poppler for looking at PDFs;
# PostgreSQL server binaries and Chromium for the test suite.
need=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-}" = "dev" ]; then
  need+=(poppler-utils chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
fi
missing=()
for pkg in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Warning: missing system packages (install them as root): ${missing[*]}" >&2
  fi
fi

# --- Python ------------------------------------------------------------------------------------
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
fi
# Reinstall only when the project's metadata or the extras changed.
stamp=".venv/.charity-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing the project into .venv ($extras)…"
  .venv/bin/python -m pip install -q -e ".[$extras]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import charity, flask, weasyprint" 
  echo "$want" > "$stamp"
fi
.venv/bin/charity translations >/dev/null
