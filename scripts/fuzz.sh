#!/usr/bin/env bash
# Runs every fuzz target (`func Fuzz…` in a _test.go file) for a bounded
# time each: FUZZTIME (default 4s). `go test` alone runs their seeds and
# the committed regression cases (testdata/fuzz/…); this searches further.
# A failure leaves its input in testdata/fuzz/<target>/ — commit it with
# the fix, as a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-4s}
n=0
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	echo "== fuzz $name ($pkg, $fuzztime)"
	status=0
	out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1) || status=$?
	if [ "$status" != 0 ] && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
		# The go command's own time-out while its workers start or
		# minimise under load (golang/go#56238), not a failing input:
		# run it once more, for longer.
		echo "== fuzz $name: the fuzzing engine timed out without a failing input; once more"
		status=0
		out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime 10s "$pkg" 2>&1) || status=$?
	fi
	grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|FAIL|---|    )' <<<"$out" | tail -3 || true
	if [ "$status" != 0 ]; then
		echo "== fuzz $name failed: the input is in $pkg/testdata/fuzz/$name/"
		exit "$status"
	fi
	n=$((n + 1))
done < <(grep -rhoE --include='*_test.go' --exclude-dir=node_modules '^func Fuzz[A-Za-z0-9_]+' . -l | while read -r f; do
	grep -oE '^func Fuzz[A-Za-z0-9_]+' "$f" | sed "s#^func #${f#./}:#"
done | sort)
echo "== $n fuzz targets ran for $fuzztime each"
