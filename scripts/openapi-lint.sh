#!/usr/bin/env bash
# Lints api/openapi.yaml with Redocly CLI's recommended rules (pinned in
# scripts/openapi-lint/package-lock.json): any error or warning fails.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=scripts/openapi-lint
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
	echo "== OpenAPI lint skipped: Node.js $(node --version 2>/dev/null || echo 'is not installed'); Redocly CLI 2 needs Node.js 20 or later"
	exit 0
fi
if [ ! -x "$dir/node_modules/.bin/redocly" ]; then
	if ! command -v npm >/dev/null; then
		echo "== OpenAPI lint: npm is not installed (CI installs nodejs and npm)"; exit 1
	fi
	(cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null)
fi
out=$("$dir/node_modules/.bin/redocly" lint api/openapi.yaml --format summary 2>&1) || { echo "$out"; exit 1; }
if grep -qE '^(warning|error) ' <<<"$out"; then
	echo "$out" | grep -E '^(warning|error) '
	echo "== OpenAPI lint: api/openapi.yaml has problems (above)"
	exit 1
fi
echo "== OpenAPI lint (Redocly $(cd "$dir" && node -p 'require("@redocly/cli/package.json").version'), recommended rules): no problems"
