#!/usr/bin/env bash
# Build (default) or serve the site with the settings that keep it fast and honest:
# one torch thread, the inline matplotlib backend, a hard timeout, and --strict.
#   scripts/build_docs.sh [build|serve|deploy] [extra mkdocs options]
# deploy builds strictly and pushes the site to the gh-pages branch (GitHub Pages serves it,
# and Colab opens the pages' notebooks from it).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-build}; shift || true
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 NO_MKDOCS_2_WARNING=1 PYTHONHASHSEED=0
unset MPLBACKEND  # a backend set here would silently drop notebook figures
if [[ -z "${ZERO_TO_HERO_DATA:-}" && -d ../shared/data ]]; then
  export ZERO_TO_HERO_DATA="$PWD/../shared/data"
fi
MKDOCS="${VENV:-.venv}/bin/mkdocs"
case "$mode" in
  build) exec timeout "${DOCS_TIMEOUT:-900}" "$MKDOCS" build --strict "$@" ;;
  serve) exec "$MKDOCS" serve --strict "$@" ;;
  deploy) exec timeout "${DOCS_TIMEOUT:-900}" "$MKDOCS" gh-deploy --strict --force --no-history "$@" ;;
  *) echo "usage: $0 [build|serve|deploy] [mkdocs options]" >&2; exit 2 ;;
esac
