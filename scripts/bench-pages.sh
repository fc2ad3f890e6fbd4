#!/usr/bin/env bash
# Time to first byte of the employer's candidate search page (issue 13):
# loads the demo with --candidates N (once; the data dir is kept), starts
# serve, signs in through the sign-in page as the demo employer (a cookie
# session, as a browser does), and loads /search 50 times in a round:
# round A the same query each time, round B eight typo'd skills × seven
# cities, round C those as the htmx partial (the results part a keystroke
# fetches), round D the page with nothing typed (every candidate, with
# facets). Prints the median and p95 of curl's time_starttransfer per round.
#   scripts/bench-pages.sh [N]   (HERSTART_BENCH_DIR, BENCH_PORT)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${HERSTART_BENCH_DIR:-/tmp/herstart-bench-serve-$n}
port=${BENCH_PORT:-18081}
make -s build >/dev/null
export HERSTART_DATA_DIR=$dir HERSTART_ADDR=127.0.0.1:$port HERSTART_LOG_LEVEL=warn HERSTART_COOKIE_INSECURE=true
if [ ! -f "$dir/.demo-loaded" ]; then
	echo "== loading the demo with $n candidates into $dir"
	/usr/bin/time -f "demo: %e s, peak RSS %M KiB" bin/herstart demo --candidates "$n" --history=false
	touch "$dir/.demo-loaded"
fi
bin/herstart serve >"$dir/serve-pages.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
	sleep 0.2
done
base=http://127.0.0.1:$port
jar=$(mktemp)
curl -fs -c "$jar" "$base/" -o /dev/null
pre=$(grep herstart_pre "$jar" | awk '{print $7}')
curl -fs -b "$jar" -c "$jar" -o /dev/null "$base/signin" \
	--data-urlencode "_csrf=$pre" --data-urlencode "email=werkgever@demo.herstart.nl" --data-urlencode "password=herstart-demo-2026"
grep -q herstart_session "$jar" || { echo "sign-in failed"; exit 1; }
echo "signed in as the demo employer; candidates in the index: $(curl -fs -b "$jar" "$base/search?q=heftruck&place=Utrecht" | grep -o '<strong>[0-9.]* kandidaten' | head -1)"
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(p*(NR-1))+1; printf "%.1f", a[i]*1000}'; }
timed() {
	local times bad
	times=$(mktemp)
	while read -r path; do
		curl -s -o /dev/null -b "$jar" "${@:2}" -w '%{http_code} %{time_starttransfer}\n' "$base$path" >>"$times"
	done
	bad=$(awk '$1 != 200' "$times" | wc -l)
	echo "$1: $(wc -l <"$times") loads, TTFB median $(awk '{print $2}' "$times" | pct 0.50) ms, p95 $(awk '{print $2}' "$times" | pct 0.95) ms, non-200: $bad"
	rm -f "$times"
}
skills=(heftruk lasen schoonmake metzelen orderpiken kooken vakkevullen groenonderhout)
cities=(Utrecht Amsterdam Rotterdam Eindhoven Groningen Zwolle Breda)
# One warm-up load, then the rounds, a minute apart (60 searches a minute
# per employer is the search limit).
curl -s -o /dev/null -b "$jar" "$base/search?q=heftruck&place=Utrecht"
sleep 61
for i in $(seq 50); do echo "/search?q=heftruck&place=Utrecht&within_km=25"; done | timed "A: /search?q=heftruck&place=Utrecht (whole page)"
sleep 61
for i in $(seq 0 49); do echo "/search?q=${skills[$((i % 8))]}&place=${cities[$((i % 7))]}&within_km=25"; done | timed "B: /search, 8 typo'd skills × 7 cities (whole page)"
sleep 61
for i in $(seq 0 49); do echo "/search?q=${skills[$((i % 8))]}&place=${cities[$((i % 7))]}&within_km=25"; done | timed "C: the same, htmx partial (HX-Request)" -H "HX-Request: true" -H "HX-Target: results"
sleep 61
for i in $(seq 50); do echo "/search"; done | timed "D: /search with nothing typed (every candidate, with facets)"
echo "serve peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
