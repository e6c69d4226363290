#!/bin/sh
# Same scenario, same seed: the same JSON state and the same pcap bytes on
# every link, run after run. A different seed must still pass every
# expectation (the scenarios do not depend on one random draw).
#   tests/sim/determinism.sh MCASTSIM SCENARIO...
set -u
sim=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
for scn in "$@"; do
	name=$(basename "$scn" .scn)
	for run in a b; do
		mkdir -p "$tmp/$name.$run"
		"$sim" run --seed 7 --json --pcap "$tmp/$name.$run" "$scn" >"$tmp/$name.$run/out" 2>&1
	done
	if ! diff -r "$tmp/$name.a" "$tmp/$name.b" >/dev/null; then
		echo "determinism: $scn: two runs with seed 7 differ" >&2
		diff -r "$tmp/$name.a" "$tmp/$name.b" | head -5 >&2
		fail=1
	fi
	if [ -z "$(ls "$tmp/$name.a"/*.pcap 2>/dev/null)" ]; then
		echo "determinism: $scn: no pcap written" >&2
		fail=1
	fi
	if ! "$sim" run --seed 99 "$scn" >"$tmp/$name.other" 2>&1; then
		echo "determinism: $scn: fails with seed 99:" >&2
		grep FAIL "$tmp/$name.other" | head -5 >&2
		fail=1
	fi
done
[ "$fail" -eq 0 ] && echo "determinism: $# scenarios repeat byte for byte"
exit "$fail"
