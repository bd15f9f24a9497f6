#!/usr/bin/env bash
# Shared set-up for ./run and ./test: system packages (when root), the virtualenv, the
# project and its translations. Usage: scripts/setup.sh [dev]
set -euo pipefail
cd "$(dirname "$0")/.."

extras="postgres"
[ "${1:-}" = "dev" ] && extras="postgres,dev"

# --- system packages -------------------------------------------------------------------------
# Fonts and HarfBuzz's subsetter for Chinese PDFs (WeasyPrint); poppler for looking at PDFs;
# PostgreSQL server binaries, Chromium, Java and npm for the test suite (Java runs the W3C Nu
# validator; npm fetches it and axe-core into tools/node_modules).
need=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
if [ "${1:-}" = "dev" ]; then
  need+=(poppler-utils chromium)
  command -v java >/dev/null || need+=(default-jre-headless)
  command -v npm >/dev/null || need+=(npm)
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
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# Reinstall only when the project's metadata or the extras changed.
stamp=".venv/.charity-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing the project into .venv ($extras)…"
  # uv installs the same packages from PyPI as pip in a few seconds instead of ~20 (a fresh
  # clone's ./test pays this every time); pip stays the fallback where uv cannot be had.
  if .venv/bin/python -m pip install -q "uv>=0.5,<1" 2>/dev/null; then
    .venv/bin/uv pip install -q --python .venv/bin/python -e ".[$extras]"
  else
    .venv/bin/python -m pip install -q -e ".[$extras]" 2>&1 | grep -v "^WARNING: Location" || true
  fi
  .venv/bin/python -c "import charity, flask, weasyprint"
  echo "$want" > "$stamp"
fi
.venv/bin/charity translations >/dev/null

# --- outside checkers for the suite (dev) ------------------------------------------------------
# vnu-jar and axe-core at the versions of tools/package-lock.json, in tools/node_modules (ignored
# by git). --ignore-scripts: vnu-jar's postinstall would download a Java; Debian's is used.
if [ "${1:-}" = "dev" ]; then
  tstamp="tools/node_modules/.charity-installed"
  twant="$(sha256sum tools/package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$tstamp" ] || [ "$(cat "$tstamp")" != "$twant" ]; then
    if command -v npm >/dev/null; then
      echo "Installing the test checkers into tools/node_modules (vnu-jar, axe-core)…"
      (cd tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) && echo "$twant" > "$tstamp"
    else
      echo "Warning: npm is missing; the validator and axe-core tests will skip" >&2
    fi
  fi
fi
