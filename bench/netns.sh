#!/bin/sh
# mcastd on the real kernel (make bench, as root): join latency (the
# receiver's join call to its first packet), leave latency (the leave
# call to the last packet on the receiver's link) with and without fast
# leave, the same join latency with 100 idle control clients connected,
# and mcastd's CPU time per group record in a storm of IGMPv3 reports for
# 10k and 100k groups; then the same storm through mcastd as a proxy
# (CPU per downstream record beside the router's figure of this run,
# upstream packets) and the time SIGTERM takes with 100,000 proxied
# groups (their leaves go upstream first). The baseline printed beside
# each is measured in the same run: the sender's packet interval for
# latency, the figure without control clients for the one with them.
#   bench/netns.sh [BIN]
cd "$(dirname "$0")/.." || exit 1
BIN=${1:-build/bin}
if [ "$(id -u)" != 0 ]; then
	echo "bench/netns.sh: needs root (network namespaces); skipped"
	exit 0
fi
. tests/netns/lib.sh
# no debug log: one line per group would be what the storms measure
MCASTD_DEBUG=""
# mcastd as dist/mcastd.service runs it: glibc's heap on transparent huge
# pages (MCASTD_ENV= runs it without)
MCASTD_ENV=${MCASTD_ENV-GLIBC_TUNABLES=glibc.malloc.hugetlb=1}
topology
start_mcastd "$NS_RTR" "interface wan
interface lan1 fast-leave on max-groups 0 max-sources 0 max-total-sources 0
interface lan2" || exit 1
sleep 0.5
pid=$(cat "$TMP/mcastd.pid")

# A stream at 1000 packets per second while the receivers come and go.
in_ns "$NS_SND" "$BIN/mcjoin" -i eth0 -p "$PORT" send 239.9.9.9 10.0.0.5 40000 1 &
sp=$!
sleep 0.3
trials=20
steps=""
for i in $(seq $trials); do steps="$steps join 239.9.9.9 first 2000 leavetime 239.9.9.9 300"; done
# shellcheck disable=SC2086
in_ns "$NS_H1" "$BIN/mcjoin" -i eth0 -p "$PORT" $steps >"$TMP/fast.out"
steps=""
for i in $(seq 5); do steps="$steps join 239.9.9.9 first 2000 leavetime 239.9.9.9 2600"; done
# shellcheck disable=SC2086
in_ns "$NS_H2" "$BIN/mcjoin" -i eth0 -p "$PORT" $steps >"$TMP/slow.out"
# The same joins on lan1 while 100 control clients sit idle on mcastd.
"$BIN/ctlflood" "$TMP/mcastd.sock" 100 0 100 25000 >"$TMP/flood.out" 2>&1 &
fp=$!
sleep 0.5
steps=""
for i in $(seq $trials); do steps="$steps join 239.9.9.9 first 2000 leavetime 239.9.9.9 300"; done
# shellcheck disable=SC2086
in_ns "$NS_H1" "$BIN/mcjoin" -i eth0 -p "$PORT" $steps >"$TMP/idle.out"
clients=$(ctl mcastd show stats | awk '$1 == "control_clients" { print $2 }')
kill "$fp" 2>/dev/null
kill "$sp" 2>/dev/null
stats() { # label file key
	awk -v k="$3" '$1 == k && $2 != "none" { print $2 }' "$2" | sort -n | awk -v l="$1" '
		{ v[n++] = $1; s += $1 }
		END { if (n) printf "%-44s %8.3f ms mean  %8.3f median  %8.3f min  %8.3f max  (%d trials; 1 ms between packets)\n",
				    l, s / n, n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1], n;
		      else printf "%-44s no data\n", l }'
}
echo "== latency (stream of 1 packet per ms)"
stats "join -> first packet (lan1)" "$TMP/fast.out" first
stats "join -> first packet (lan2)" "$TMP/slow.out" first
# The receiver's kernel holds its report for 2-3 jiffies (igmp_ifc_start_timer);
# from the report leaving the host to the first packet is the router's part.
awk '$1 == "first" && $4 != "" { print "report", $4; print "after", $6 }' "$TMP/fast.out" "$TMP/slow.out" >"$TMP/split"
stats "join -> the host's report leaves" "$TMP/split" report
stats "report -> first packet (mcastd + kernel)" "$TMP/split" after
stats "leave -> last packet, fast leave (lan1)" "$TMP/fast.out" leave
stats "leave -> last packet, LMQT 2 s (lan2)" "$TMP/slow.out" leave
echo "== the same with $((clients - 1)) idle control clients connected"
awk '$1 == "first" && $4 != "" { print "after", $6 }' "$TMP/idle.out" >"$TMP/split_idle"
stats "report -> first packet, 100 idle clients" "$TMP/split_idle" after
# the ratio of medians: one slow trial moves a mean of 20 by a
# millisecond (seen under strace: one MRT_ADD_MFC call that took 15 ms
# in the kernel, mcastd otherwise idle); the means and maxima are above
median() { awk '$1 == "after" && $2 != "none" { print $2 }' "$1" | sort -n |
	awk '{ v[n++] = $1 } END { if (n) printf "%.4f", n % 2 ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }'; }
awk -v a="$(median "$TMP/split_idle")" -v b="$(grep '^after' "$TMP/split" | head -n "$trials" | median /dev/stdin)" \
	'BEGIN { if (a != "" && b > 0) printf "%-44s %8.2f (medians, with clients / without, same run)\n", "ratio", a / b }'

# CPU time in ns: the scheduler's sum_exec_runtime (ms with six
# decimals) where the kernel has /proc/PID/sched, else clock ticks of
# /proc/PID/stat (10 ms: coarse for a 60 ms storm)
if [ -r "/proc/self/sched" ]; then
	cpu() { awk '$1 == "se.sum_exec_runtime" { printf "%.0f\n", $3 * 1e6 }' "/proc/$pid/sched"; }
else
	cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.0f\n", ($14 + $15) * 1e9 / t }' "/proc/$pid/stat"; }
fi
records() {
	ctl mcastd --json show stats | grep -o '"name":"lan1","family":"ipv4","rx_queries":[0-9]*,"rx_reports":[0-9]*,"rx_leaves":[0-9]*,"rx_records":[0-9]*' |
		grep -o '[0-9]*$'
}
echo "== report storm (IGMPv3, one IS_EX record per group, full 1500-byte reports)"
# Each size in two parts measured apart: one round that creates the
# groups, then rounds that refresh them (a LAN's steady state, what a
# querier's general query brings back every 125 s). Creating costs more
# than refreshing, so a mixed figure would grow with the share of new
# groups, not with the table.
storm() { # label groups rounds
	c0=$(cpu)
	r0=$(records)
	t0=$(date +%s%N)
	out=$(in_ns "$NS_H1" "$BIN/mcstorm" eth0 10.0.1.10 "$2" "$3")
	t1=$(date +%s%N)
	sleep 1 # let mcastd drain its socket
	c1=$(cpu)
	recs=$(echo "$out" | awk '{ print $3 }')
	got=$(($(records) - r0))
	awk -v l="$1" -v n="$2" -v r="$recs" -v got="$got" -v c="$((c1 - c0))" -v w="$((t1 - t0))" 'BEGIN {
		cpu_ns = c
		printf "%7d groups, %-7s %d records sent in %.2f s, mcastd handled %d, %.0f ns CPU per record received (%.2f M records/s of CPU)\n",
		       n, l, r, w / 1e9, got, got ? cpu_ns / got : 0, got && cpu_ns ? got / cpu_ns * 1e3 : 0
	}'
}
for n in ${STORM_SIZES:-10000 100000}; do
	rounds=$((1000000 / n))
	[ "$rounds" -lt 3 ] && rounds=3
	storm create: "$n" 1
	storm refresh: "$n" "$rounds"
	echo "         groups on lan1 now: $(ctl mcastd show interfaces | awk '$1 == "lan1" && $4 == "IGMP" { print $NF }')"
done

# The same storm through mcastd as a proxy: lan1 downstream, wan upstream
# (towards the sender's namespace, where nobody listens). Beside it, the
# router's figure of this run.
kill -TERM "$pid" 2>/dev/null
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
rm -f "$TMP/mcastd.sock"
start_mcastd "$NS_RTR" "interface wan
interface lan1 max-groups 0 max-sources 0 max-total-sources 0
interface lan2
proxy bench upstream wan downstream lan1" || exit 1
sleep 0.5
pid=$(cat "$TMP/mcastd.pid")
echo "== report storm through the proxy (the same reports; upstream packed, 183 records per report)"
for n in ${STORM_SIZES:-10000 100000}; do
	c0=$(cpu)
	r0=$(records)
	in_ns "$NS_H1" "$BIN/mcstorm" eth0 10.0.1.10 "$n" 1 >/dev/null
	sleep 2 # mcastd drains its socket; the upstream retransmissions go
	c1=$(cpu)
	got=$(($(records) - r0))
	awk -v n="$n" -v got="$got" -v c="$((c1 - c0))" 'BEGIN {
		cpu_ns = c
		printf "%7d groups: mcastd as proxy handled %d records, %.0f ns CPU per record received (new groups, taken upstream)\n",
		       n, got, got ? cpu_ns / got : 0
	}'
done
echo "         groups upstream now: $(ctl mcastd show proxy | grep -c '^  ')"
t0=$(date +%s%N)
kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.005; done
t1=$(date +%s%N)
awk -v w="$((t1 - t0))" 'BEGIN { printf "SIGTERM with every storm group proxied: %.3f s to exit (the leaves go upstream packed first)\n", w / 1e9 }'
