#!/usr/bin/env bash
# Check every link of the built site, external ones included (needs the network, so it is not
# part of `make test`, whose offline test checks internal links and anchors). Uses LinkChecker.
#   scripts/linkcheck.sh [site directory, default: site]
set -euo pipefail
cd "$(dirname "$0")/.."
site=${1:-site}
PY="${VENV:-.venv}/bin/python"
[[ -f "$site/index.html" ]] || { echo "no built site in $site: run make build first" >&2; exit 1; }
"$PY" -c "import linkcheck" 2>/dev/null || "$PY" -m pip install --quiet -e ".[linkcheck]"
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" -m http.server "$port" --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
"${VENV:-.venv}/bin/linkchecker" --check-extern --no-status --threads 8 \
  --no-follow-url 'assets/vendor/' --ignore-url '^mailto:' "http://127.0.0.1:$port/"
