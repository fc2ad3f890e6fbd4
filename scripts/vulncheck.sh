#!/usr/bin/env bash
# govulncheck over the whole module, with the Go vulnerability database
# built offline from the Go module golang.org/x/vulndb (its OSV files,
# indexed by its own cmd/indexdb) at a pinned version: no request to
# vuln.go.dev. Exits non-zero when the code calls a known vulnerability.
# Raise VULNDB_VERSION to check against newer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
VULNDB_VERSION=${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}
GOVULNCHECK_VERSION=v1.9.0
out=${VULNDB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/herstart-vulndb/$VULNDB_VERSION}
if [ ! -f "$out/index/db.json" ]; then
	echo "== building the vulnerability database from golang.org/x/vulndb@$VULNDB_VERSION"
	src=$(cd "$(mktemp -d)" && go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	rm -rf "$out.tmp" && mkdir -p "$(dirname "$out")"
	go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB_VERSION" -vulns "$src/data/osv" -out "$out.tmp"
	rm -rf "$out" && mv "$out.tmp" "$out"
fi
echo "== govulncheck $GOVULNCHECK_VERSION ($(go env GOVERSION), database golang.org/x/vulndb@$VULNDB_VERSION)"
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$out" ./...
