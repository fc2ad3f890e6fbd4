#!/usr/bin/env bash
# The pages' front-end packages: installed from npm by frontend/package.json
# and its lock file, then copied into frontend/static/vendor, which the
# binary embeds. Nothing third-party is committed; `make run`, `make build`
# and `make test` run this first. It does nothing when the copies are newer
# than the lock file.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
vendor=static/vendor
stamp=$vendor/.stamp
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ -f node_modules/axe-core/axe.min.js ]; then
	exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
	echo "scripts/assets.sh: npm is needed for the pages' front-end packages (apt-get install nodejs npm)" >&2
	exit 1
fi
echo "== front-end packages (npm ci in frontend/)"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p "$vendor"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp node_modules/chart.js/dist/chart.umd.min.js "$vendor/chart.umd.min.js"
cp node_modules/@utrecht/component-library-css/dist/index.css "$vendor/utrecht.css"
cp node_modules/@utrecht/design-tokens/dist/theme.css "$vendor/utrecht-theme.css"
# Licences travel with the copies: EUPL-1.2 for the NL Design System,
# 0BSD for htmx, MIT for Chart.js.
for p in htmx.org chart.js @utrecht/component-library-css @utrecht/design-tokens; do
	name=$(echo "$p" | tr '/@' '__')
	for f in LICENSE LICENSE.md LICENCE.md; do
		[ -f "node_modules/$p/$f" ] && cp "node_modules/$p/$f" "$vendor/LICENSE-$name" && break
	done
done
touch "$stamp"
