#!/usr/bin/env bash
# The whole test suite (`make test`): every package against the embedded
# FerretDB on SQLite, then the storage-backed packages again with FerretDB
# over PostgreSQL when a PostgreSQL server can be started here. With
# HERSTART_TEST_MONGODB_URI set, a real MongoDB is used instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/openapi-lint.sh
# The pages embed their front-end packages (npm, copied by assets.sh).
scripts/assets.sh
# The SEPA test validates its file against the pain.001.001.03 XSD from
# Debian's libhbci4j-core-java (fetched, not committed) with xmllint.
if xsd=$(scripts/pain001-xsd.sh 2>/dev/null); then
	export HERSTART_TEST_PAIN001_XSD="$PWD/$xsd"
else
	echo "== pain.001.001.03 XSD not available (apt-get download libhbci4j-core-java failed): the SEPA test says so"
fi
# Mailpit, the real SMTP server of the mail tests (mail/mailpittest): a Go
# tool of its own module (tools/mailpit), built once here.
mkdir -p bin
(cd tools/mailpit && go build -o ../../bin/mailpit github.com/axllent/mailpit)
export HERSTART_MAILPIT="$PWD/bin/mailpit"
# The packages with concurrency run under the race detector (STYLE.md 5):
# whole packages, and the API's race tests (the rest of api runs without
# -race below: its relevance sets are CPU-bound, not concurrent, and take
# four minutes under the detector).
race_pkgs=(./store/... ./audit/... ./placements/... ./payments/... ./candidates/... ./employers/... ./users/... ./jobs/... ./platform/... ./frontend/... ./inbox/... ./mail/...)
echo "== go test -race (embedded FerretDB, SQLite backend): ${race_pkgs[*]}"
go test -race -count=1 -timeout 20m "${race_pkgs[@]}"
echo "== go test -race ./api -run 'TestInvariant|TestIdempotency|Concurrent|Parallel|TwoInstances' (the API's race tests)"
go test -race -count=1 -timeout 20m -run 'TestInvariant|TestIdempotency|Concurrent|Parallel|TwoInstances' ./api/
raced=$(go list "${race_pkgs[@]}")
rest=$(go list ./... | grep -vxF "$raced")
echo "== go test (embedded FerretDB, SQLite backend): every other package, without -race"
# shellcheck disable=SC2086
go test -count=1 -timeout 20m $rest
# Every fuzz target searches for a bounded time (their seeds and committed
# regression cases ran above with the package tests).
FUZZTIME=${FUZZTIME:-5s} scripts/fuzz.sh
if [ -z "${MEILI_URL:-}" ]; then
	echo "== Meilisearch conformance suite skipped: MEILI_URL not set (no Meilisearch server on this machine;"
	echo "   matching/meili's filter-string and settings tests ran above)"
fi

if [ "${HERSTART_SKIP_PG:-}" = 1 ]; then
	echo "== PostgreSQL mode skipped: HERSTART_SKIP_PG=1"
	exit 0
fi
source scripts/pg.sh
if ! pg_start; then
	echo "== PostgreSQL mode skipped: no PostgreSQL server here (CI installs the postgresql package)"
	exit 0
fi
trap pg_stop EXIT
echo "== go test (embedded FerretDB over PostgreSQL, one package at a time; the browser tests, the"
echo "   authorisation matrix (TestAuthzMatrix) and the load tool's run (TestBenchLoad_Mixed) ran above"
echo "   and are not repeated: the pages do not touch storage, who may do what does not depend on the"
echo "   storage backend, and the load tool measures rather than holds a rule)"
# -p 1: each test binary embeds its own FerretDB, and FerretDB assumes it is
# the only one using its PostgreSQL database (its metadata cache goes stale
# when another drops a schema; seen as "relation … does not exist").
HERSTART_TEST_POSTGRES_URL="$HERSTART_PG_URL" go test -p 1 -count=1 -timeout 20m \
	./store/... ./audit/... ./users/... ./inbox/... ./jobs/... ./placements/... ./payments/... ./candidates/... ./employers/... ./platform/... ./mail/... ./matching/ ./cmd/...
# The API package over PostgreSQL: its tests of the promises that span
# records (docs/invariants.md: 20 parallel requests, two instances, the
# caches' staleness, erasure), which depend on how the backend takes
# conditional and unique writes. Its other tests (pages of answers,
# validation, relevance) ran on SQLite above and read the same services;
# repeating them here cost about three minutes of a suite that must stay
# under twenty.
api_pg='TestInvariant|TestIdempotency|Concurrent|Parallel|TwoInstances|TwentyAtOnce|WorksOnce|TestErasure|TestStaleness'
echo "== go test ./api -run '$api_pg' (embedded FerretDB over PostgreSQL)"
HERSTART_TEST_POSTGRES_URL="$HERSTART_PG_URL" go test -count=1 -timeout 20m -run "$api_pg" ./api/...
