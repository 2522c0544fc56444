#!/usr/bin/env bash
# Installs what pip cannot: Debian's Chromium (page tests), the C libraries behind Pillow's
# Raqm layout (FriBiDi, HarfBuzz) and CairoSVG (Cairo), and the Nu HTML checker from npm.
# Idempotent and quiet when everything is already there.
set -eu
cd "$(dirname "$0")/.."
need=()
[ "${1:-all}" = render ] || [ -x /usr/bin/chromium ] || need+=(chromium)
ldconfig -p | grep -q libfribidi.so.0 || need+=(libfribidi0)
ldconfig -p | grep -q libharfbuzz.so.0 || need+=(libharfbuzz0b)
ldconfig -p | grep -q libcairo.so.2 || need+=(libcairo2)
if [ "${1:-all}" != render ]; then
  command -v java >/dev/null || need+=(default-jre-headless)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${1:-all}" != render ] && [ ! -f .tools/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  mkdir -p .tools
  (cd .tools && npm install --silent --no-audit --no-fund vnu-jar@latest >/dev/null)
fi
