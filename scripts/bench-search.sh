#!/usr/bin/env bash
# Benchmarks of issue 4 on generated data (HERSTART_BENCH_SIZES, default
# 10000,100000): indexing throughput, the typical employer query with and
# without facets, the engine part of matches for a vacancy (three runs of
# 200 each, medians by benchstat), then the same employer query as a plain
# MongoDB find on the embedded FerretDB (three queries: it scans).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-results
out=bench-results/search.txt
go test -run '^$' -bench 'Engine/.*/(index|employer-query|employer-query-nofacets|employer-query-broad|vacancy-matches)$' \
	-benchtime 200x -count "${BENCH_COUNT:-3}" -timeout 60m ./matching/bleve/ | tee "$out"
HERSTART_BENCH_MONGO=1 go test -run '^$' -bench 'Engine/.*/employer-query-mongo-find$' -benchtime 3x -timeout 60m ./matching/bleve/ | tee -a "$out"
go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da "$out" 2>/dev/null || echo "(benchstat unavailable: raw results in $out)"
