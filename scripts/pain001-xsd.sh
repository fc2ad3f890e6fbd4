#!/usr/bin/env bash
# Unpacks the pain.001.001.03 XSD (the EPC's SEPA variant) into .cache/xsd
# for the SEPA test: it ships in Debian's libhbci4j-core-java (LGPL, inside
# hbci4j-core.jar), fetched with `apt-get download` so that nothing
# third-party is committed. Prints the path; exits 1 when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/xsd/pain.001.001.03.xsd
if [ -s "$out" ]; then echo "$out"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
download() { (cd "$tmp" && apt-get download libhbci4j-core-java >/dev/null 2>&1); }
# Empty package lists (a fresh image) make the download fail: refresh them once, where allowed.
download || { apt-get update -qq >/dev/null 2>&1 && download; } || { echo "apt-get download libhbci4j-core-java failed" >&2; exit 1; }
dpkg -x "$tmp"/libhbci4j-core-java_*.deb "$tmp/x"
jar=$(find "$tmp/x" -name 'hbci4j-core*.jar' | head -1)
mkdir -p .cache/xsd
unzip -o -q -j "$jar" pain.001.001.03.xsd -d .cache/xsd
echo "$out"
