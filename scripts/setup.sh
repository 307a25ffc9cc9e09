#!/usr/bin/env bash
# Set up everything the site and the tests need, on a fresh Linux machine with Python >= 3.11.
# Idempotent and quick when nothing changed: each step is skipped while its inputs are unchanged.
#
#   scripts/setup.sh            venv + torch + the project with its extras + npm assets + graphviz
#   scripts/setup.sh --browser  the same, plus Chromium for the browser tests
#
# Environment: PYTHON (default python3), VENV (default .venv),
#   TORCH_PIP_ARGS (extra pip arguments for torch, e.g. "--index-url https://download.pytorch.org/whl/cpu"
#   on a machine where plain pip would fetch the multi-GB CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
TORCH_VERSION=2.13.0
STAMPS=.setup-stamps
want_browser=0
[[ "${1:-}" == "--browser" ]] && want_browser=1

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# --- system packages (Debian): graphviz's `dot` renders the computation graphs -------------
scripts/system-deps.sh dot $([[ $want_browser == 1 ]] && echo chromium)

# --- Python virtual environment ----------------------------------------------------------
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "$PYTHON is $("$PYTHON" -V 2>&1); Python >= 3.11 is required (set PYTHON=python3.11)"
if [[ ! -x "$VENV/bin/python" ]]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
mkdir -p "$STAMPS"

# torch first, pinned: an unpinned requirement would pull the newest (CUDA, multi-GB) build.
if ! "$PY" -c "import torch, sys; sys.exit(not torch.__version__.startswith('$TORCH_VERSION'))" 2>/dev/null; then
  say "installing torch==$TORCH_VERSION"
  "$PY" -m pip install --quiet ${TORCH_PIP_ARGS:-} "torch==$TORCH_VERSION"
fi

# the project (editable) with its extras, again whenever pyproject.toml changes
key=$(sha256sum pyproject.toml | cut -c1-16)
if [[ ! -f "$STAMPS/pip-$key" ]]; then
  say "installing the project with extras docs, dev, bench, cuda"
  "$PY" -m pip install --quiet -e ".[docs,dev,bench,cuda]"
  rm -f "$STAMPS"/pip-*; touch "$STAMPS/pip-$key"
fi

# --- browser assets from the npm registry (KaTeX), never committed ------------------------
command -v npm >/dev/null || die "npm is missing: install Node.js >= 20 (Debian: apt-get install nodejs npm)"
key=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
if [[ ! -f "$STAMPS/npm-$key" || ! -d node_modules ]]; then
  say "installing site assets with npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  rm -f "$STAMPS"/npm-*; touch "$STAMPS/npm-$key"
fi

say "ready: $("$PY" -c 'import torch, zero_to_hero; print(f"zero_to_hero {zero_to_hero.__version__}, torch {torch.__version__}")'), $(dot -V 2>&1)"
