#!/usr/bin/env bash
# serve with N generated candidates (issue 4): loads the demo with
# --candidates N into a data dir (once; kept for later runs), rebuilds the
# embedded index, starts serve, and times employer searches through the API
# with curl (eight typo'd skills × seven cities, 25 km, available within 30
# days), in rounds of 50 a minute apart (the limit is 60 a minute per user).
# Then matches for the demo employer's vacancies. Prints p50/p95 per round
# and serve's peak RSS (VmHWM).
#   scripts/bench-serve.sh [N]   (HERSTART_BENCH_DIR, BENCH_ROUNDS, BENCH_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${HERSTART_BENCH_DIR:-/tmp/herstart-bench-serve-$n}
rounds=${BENCH_ROUNDS:-3}
port=${BENCH_PORT:-18080}
go build -o bin/herstart ./cmd/herstart
export HERSTART_DATA_DIR=$dir HERSTART_ADDR=127.0.0.1:$port HERSTART_LOG_LEVEL=warn
if [ ! -f "$dir/.demo-loaded" ]; then
	echo "== loading the demo with $n candidates into $dir"
	/usr/bin/time -f "demo: %e s, peak RSS %M KiB" bin/herstart demo --candidates "$n"
	touch "$dir/.demo-loaded"
fi
echo "== rebuilding the index"
/usr/bin/time -f "reindex: %e s, peak RSS %M KiB" bin/herstart reindex
bin/herstart serve >"$dir/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
	sleep 0.2
done
token=$(curl -fs -X POST "http://127.0.0.1:$port/api/v1/auth/token" -H 'Content-Type: application/json' \
	-d '{"email":"werkgever@demo.herstart.nl","password":"herstart-demo-2026"}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
skills=(heftruk lasen schoonmake metzelen orderpiken kooken vakkevullen groenonderhout)
cities=(Utrecht Amsterdam Rotterdam Eindhoven Groningen Zwolle Breda)
before=$(date -d '+30 days' +%F)
sample=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/search/candidates?q=heftruk&place=Utrecht&within_km=25&available_before=$before")
echo "heftruk near Utrecht: total $(echo "$sample" | sed -E 's/.*"total":([0-9]+).*/\1/'), $(echo "$sample" | grep -o '"card"' | wc -l) cards on page 1"
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(p*(NR-1))+1; printf "%.1f", a[i]*1000}'; }
# timed LABEL: GETs each path read from stdin with the token, then prints
# LABEL with the count, p50, p95 and how many did not answer 200.
timed() {
	local times n bad
	times=$(mktemp)
	while read -r path; do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" >>"$times"
	done
	n=$(wc -l <"$times")
	bad=$(awk '$1 != 200' "$times" | wc -l)
	echo "$1: $n requests, p50 $(awk '{print $2}' "$times" | pct 0.50) ms, p95 $(awk '{print $2}' "$times" | pct 0.95) ms, non-200: $bad"
	rm -f "$times"
}
for round in $(seq "$rounds"); do
	[ "$round" -gt 1 ] && sleep 61
	for i in $(seq 0 49); do
		echo "/api/v1/search/candidates?q=${skills[$((i % 8))]}&place=${cities[$((i % 7))]}&within_km=25&available_before=$before"
	done | timed "round $round, employer searches"
done
# Matches for each of the demo employer's three vacancies (engine pool of
# 200, each re-read and checked against every hard rule, then ranked).
sleep 61
emp=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/users/me" | sed -E 's/.*"employer_id":"([^"]+)".*/\1/')
vacancies=($(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/employers/$emp/vacancies" | grep -o '"id":"v_[a-z0-9]*"' | cut -d'"' -f4))
for i in $(seq 0 44); do
	echo "/api/v1/vacancies/${vacancies[$((i % ${#vacancies[@]}))]}/matches"
done | timed "matches for a vacancy (${#vacancies[@]} vacancies)"
echo "serve peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
