#!/usr/bin/env bash
# The load benchmark (issue 20): loads the demo with N generated candidates
# into a data dir (once; kept for later runs), starts serve on it (trusting
# X-Forwarded-For from loopback so that the bench's many employer users sign
# in from addresses of their own; pprof on 127.0.0.1:6060) and runs
# `herstart bench load` RUNS times per workload, printing each run's table.
#   scripts/bench-load.sh [N]   (HERSTART_BENCH_DIR, BENCH_RUNS, BENCH_CLIENTS,
#                                BENCH_DURATION, BENCH_WORKLOADS, BENCH_PORT, BENCH_PAUSE,
#                                BENCH_PROFILE: a folder for serve's profiles,
#                                BENCH_BIN: another herstart binary to serve with,
#                                BENCH_REINDEX=1: rebuild the index with it first,
#                                BENCH_ARGS: more flags for bench load, such as --fresh)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${HERSTART_BENCH_DIR:-/tmp/herstart-bench-serve-$n}
runs=${BENCH_RUNS:-3}
clients=${BENCH_CLIENTS:-50}
duration=${BENCH_DURATION:-60s}
workloads=${BENCH_WORKLOADS:-search mixed}
port=${BENCH_PORT:-18080}
go build -o bin/herstart ./cmd/herstart
bin=${BENCH_BIN:-bin/herstart}
export HERSTART_DATA_DIR=$dir HERSTART_LOG_LEVEL=warn
if [ ! -f "$dir/.demo-loaded" ]; then
	echo "== loading the demo with $n candidates into $dir"
	/usr/bin/time -f "demo: %e s, peak RSS %M KiB" bin/herstart demo --candidates "$n"
	touch "$dir/.demo-loaded"
fi
if [ "${BENCH_REINDEX:-}" = 1 ]; then
	"$bin" reindex | tr '\r' '\n' | tail -1
fi
HERSTART_ADDR=127.0.0.1:$port HERSTART_PROXY_HEADER=X-Forwarded-For HERSTART_TRUSTED_PROXIES=127.0.0.1 \
	HERSTART_PPROF_ADDR=127.0.0.1:6060 "$bin" serve >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
	sleep 0.2
done
for w in $workloads; do
	for r in $(seq "$runs"); do
		echo "== $w, run $r of $runs"
		bin/herstart bench load --url "http://127.0.0.1:$port" --workload "$w" --clients "$clients" --duration "$duration" \
			${BENCH_PROFILE:+--profile "$BENCH_PROFILE/$w-$r"} ${BENCH_ARGS:-} | tr '\r' '\n' | grep -v '^\[' 
		sleep "${BENCH_PAUSE:-5}" # 1,200 users stay well under 60 searches a minute each at 1,000/s
	done
done
