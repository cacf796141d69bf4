#!/usr/bin/env bash
# Runs every fuzz target of the repository for a while, one after the other
# (not part of CI: it is long and CPU-hungry).
#
#   scripts/fuzz.sh [MINUTES]      # default 5 minutes per target
#   PARALLEL=2 scripts/fuzz.sh 1   # fuzz workers per target (default 1)
#   TARGETS='FuzzDecodeWAV FuzzRead' scripts/fuzz.sh 5   # only these
#   MINIMIZE=10s (default): time spent minimising each new interesting input
#
# Each target's fuzz function asserts an allocation budget, so a decoder that
# trusts a size field fails at once instead of being killed for memory.
# Runs under nice. Prints one line per target — package, target, execs,
# new corpus entries, result — and a summary; a failing input is written by
# `go test` under the package's testdata/fuzz/<target>/ (commit it with the
# fix, so it stays a regression test). Exit status 1 if any target failed.
# A bare "context deadline exceeded" at the -fuzztime boundary with no
# failing input is Go's coordinator race (go.dev/issue/75804), not a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
parallel=${PARALLEL:-1}
minimize=${MINIMIZE:-10s}
log=${LOG:-fuzz.log}
: >"$log"
failed=0
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	if [ -n "${TARGETS:-}" ] && [[ " $TARGETS " != *" $target "* ]]; then
		continue
	fi
	out=$(nice -n 10 go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${minutes}m" -parallel "$parallel" -fuzzminimizetime "$minimize" 2>&1)
	rc=$?
	printf '%s\n' "== $pkg $target" "$out" >>"$log"
	last=$(printf '%s\n' "$out" | grep -E '^fuzz: elapsed' | tail -1)
	execs=$(printf '%s\n' "$last" | sed -nE 's/.*execs: ([0-9]+).*/\1/p')
	newc=$(printf '%s\n' "$last" | sed -nE 's/.*new interesting: ([0-9]+).*/\1/p')
	if [ $rc -eq 0 ]; then
		result=ok
	elif ! printf '%s\n' "$out" | grep -q 'Failing input written to' &&
		[ "$(printf '%s\n' "$out" | grep -cE '^\s+context deadline exceeded$')" -eq 1 ] &&
		! printf '%s\n' "$out" | grep -qE 'panic:|fuzz_test.go|_test.go:[0-9]+:'; then
		# Go's fuzz coordinator can report its own -fuzztime deadline as a
		# failure, with no failing input (go.dev/issue/75804, fixed in Go 1.27).
		result="ok (no failing input; Go's fuzztime deadline race, go.dev/issue/75804)"
	else
		result="FAILED: $(printf '%s\n' "$out" | grep -E -m1 'Failing input written to|--- FAIL|panic:|budget' || echo "exit $rc")"
		failed=1
	fi
	printf '%-14s %-20s execs %-10s new %-5s %s\n' "$pkg" "$target" "${execs:-?}" "${newc:-?}" "$result"
done < <(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' . | sed -E 's/^\.\/(.*):func /\1:/' | sort)
echo "full output in $log"
exit $failed
