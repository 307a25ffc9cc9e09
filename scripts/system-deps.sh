#!/usr/bin/env bash
# Install the Debian packages behind the named commands when they are missing.
#   scripts/system-deps.sh dot chromium
set -euo pipefail
declare -A PACKAGE=([dot]=graphviz [chromium]=chromium)
missing=()
for cmd in "$@"; do
  if [[ $cmd == chromium ]]; then  # any Chromium-based browser does for the browser tests
    command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
      || command -v google-chrome >/dev/null || missing+=(chromium)
  else
    command -v "$cmd" >/dev/null || missing+=("${PACKAGE[$cmd]}")
  fi
done
[[ ${#missing[@]} == 0 ]] && exit 0
echo "[setup] installing Debian packages: ${missing[*]}"
if [[ $(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi
command -v apt-get >/dev/null || { echo "[setup] no apt-get: install ${missing[*]} yourself" >&2; exit 1; }
"${sudo[@]}" apt-get update -qq || true  # stale lists are fine if the packages resolve
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
