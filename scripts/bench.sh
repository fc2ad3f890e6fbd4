#!/usr/bin/env bash
# Benchmarks of issue 2: create / read / list-my-caseload through the HTTP
# API next to the same driver operations, with 2,000 and 20,000 candidates
# stored, on the embedded SQLite mode or over PostgreSQL. Five runs each;
# benchstat prints the medians.
#   scripts/bench.sh sqlite|postgresql   (results in bench-results/)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-sqlite}
mkdir -p bench-results
out=bench-results/candidates-$mode.txt
if [ "$mode" = postgresql ]; then
	source scripts/pg.sh
	pg_install
	pg_start
	trap pg_stop EXIT
	export HERSTART_TEST_POSTGRES_URL=$HERSTART_PG_URL
fi
count=${BENCH_COUNT:-5}
export HERSTART_BENCH_SIZES=${HERSTART_BENCH_SIZES:-2000,20000}
echo "== $mode: create/read/list, $count runs of 200 ops each, sizes $HERSTART_BENCH_SIZES"
go test -run '^$' -bench 'Candidates/.*/(create|read|list)/(api|driver)$' -benchtime 200x -count "$count" -timeout 60m ./api/ | tee "$out"
echo "== $mode: the filtered find a caseload document avoids (3 ops)"
go test -run '^$' -bench 'Candidates/.*/list/driver-scan$' -benchtime 3x -count 1 -timeout 60m ./api/ | tee -a "$out"
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out" 2>/dev/null || echo "(benchstat unavailable: raw results in $out)"
