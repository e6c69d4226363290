#!/bin/sh
# The mcastsim scale run (issue 6): one LAN of HOSTS hosts, each a member of
# GROUPS groups, in virtual time. Prints the router's report load around the
# startup general query at 31.25 s (every host answers within the 10 s
# maximum response time) and the wall time and peak memory of the run.
#   bench/sim-scale.sh [MCASTSIM] [HOSTS] [GROUPS]
set -eu
sim=${1:-build/bin/mcastsim}
hosts=${2:-10000}
groups=${3:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

awk -v H="$hosts" -v G="$groups" 'BEGIN {
	print "link lan"
	print "router r1"
	print "iface r1 lan lan 10.1.0.1"
	for (i = 0; i < H; i++) {
		printf "host h%d\niface h%d eth0 lan 10.%d.%d.%d\n", i, i, 2 + int(i / 50000),
		       int(i / 200) % 250, 10 + i % 200
	}
	for (i = 0; i < H; i++)
		for (g = 0; g < G; g++)
			printf "at 1s h%d join eth0 239.2.%d.%d\n", i, int(g / 250), 1 + g % 250
	print "at 30s r1 report-load lan 12s"
	for (g = 0; g < G; g++)
		printf "expect 45s r1 group lan 239.2.%d.%d exclude\n", int(g / 250), 1 + g % 250
	print "end 45s"
}' >"$tmp/scale.scn"

start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$tmp/rss" "$sim" run "$tmp/scale.scn" >"$tmp/out" 2>&1 || {
	cat "$tmp/out"
	exit 1
}
end=$(date +%s.%N)
grep 'report load' "$tmp/out"
# Every host answers the general query once, with all its groups.
grep -q "report load.*: $hosts reports (.*), $((hosts * groups)) group records" "$tmp/out" || {
	echo "sim-scale: expected $hosts reports and $((hosts * groups)) records" >&2
	exit 1
}
awk -v s="$start" -v e="$end" -v h="$hosts" -v g="$groups" -v rss="$(cat "$tmp/rss")" 'BEGIN {
	printf "sim-scale: %d hosts x %d groups: %.2f s wall, peak RSS %.0f MB (%.1f KB per host)\n",
	       h, g, e - s, rss / 1024, rss / h
}'
