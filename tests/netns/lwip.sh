#!/bin/sh
# libmcast inside lwIP (examples/lwip) behind mcastd: an lwIP host on a
# TAP device whose IGMPv3 and MLDv2 are libmcast's host engine.
#   snd (eth0 10.0.0.5, .6, 2001:db8::5, ::6) --[wan]-- rtr (mcastd) --[lw0, TAP]-- lwIP host
# The example is built from a staged `make install` through pkg-config
# (and lwIP from Debian's liblwip-dev), as a user of the library builds
# it; tests/pkg/deb.sh builds it against the installed packages too.
#   tests/netns/lwip.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh
need_root lwip
if ! pkg-config --exists lwip; then
	echo "lwip: liblwip-dev is not installed (scripts/install-deps installs it)" >&2
	exit 1
fi
SRC=$(pwd)

echo "== building examples/lwip against a staged install of libmcast"
cmake --install "$(dirname "$BIN")" --prefix "$TMP/stage" >/dev/null || exit 1
cp -r examples/lwip "$TMP/lwip-src"
rm -f "$TMP"/lwip-src/*.o "$TMP/lwip-src/lwip-mcast"
# only the installed headers: no -I into this tree
# built with ASan and UBSan: the glue and the driver checked while they run
if ! PKG_CONFIG_PATH="$TMP/stage/lib/pkgconfig" make -C "$TMP/lwip-src" \
	CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	LDFLAGS="-fsanitize=address,undefined" \
	MCAST_PKG_CONFIG="pkg-config --define-prefix" >"$TMP/make.log" 2>&1; then
	cat "$TMP/make.log"
	exit 1
fi
grep -q -- "-I$TMP/stage/include" "$TMP/make.log" || { echo "the staged headers were not used"; cat "$TMP/make.log"; exit 1; }
grep -q -- "-I$SRC" "$TMP/make.log" && { echo "the example was built against the source tree"; exit 1; }
LWIP="$TMP/lwip-src/lwip-mcast"
# lwIP's thread and pools live until the process ends: no leak check
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1
export LD_LIBRARY_PATH="$TMP/stage/lib"

add_ns "$NS_SND"; add_ns "$NS_RTR"
link "$NS_SND" eth0 "$NS_RTR" wan
snd_setup 10.0.0.1 2001:db8::1
in_ns "$NS_RTR" ip addr add 10.0.0.1/24 dev wan
in_ns "$NS_RTR" ip addr add 2001:db8::1/64 dev wan nodad
fwd_on "$NS_RTR"
in_ns "$NS_RTR" ip tuntap add dev lw0 mode tap
in_ns "$NS_RTR" ip addr add 10.0.9.1/24 dev lw0
in_ns "$NS_RTR" ip addr add 2001:db8:9::1/64 dev lw0 nodad
in_ns "$NS_RTR" ip link set lw0 up

# Everything IGMP and MLD on lw0, from before the lwIP host starts.
ip netns exec "$NS_RTR" dumpcap -q -i lw0 -f "igmp or icmp6 or (ip6 and ip6[6] == 0)" -w "$TMP/lw0.pcapng" 2>"$TMP/dumpcap.log" &
DUMPCAP_PID=$!
wait_for 10 grep -q "Capturing on" "$TMP/dumpcap.log" || { echo "dumpcap did not start"; cat "$TMP/dumpcap.log"; exit 1; }

# The lwIP host reads commands from a FIFO; its answers go to lwip.out.
mkfifo "$TMP/lwip.in"
ip netns exec "$NS_RTR" "$LWIP" --tap lw0 --mac 02:00:00:00:09:02 --ip 10.0.9.2/24 \
	--ip6 2001:db8:9::2 --port "$PORT" <"$TMP/lwip.in" >"$TMP/lwip.out" 2>"$TMP/lwip.log" &
LWIP_PID=$!
exec 3>"$TMP/lwip.in"
wait_for 10 grep -q '^ready' "$TMP/lwip.out" || { echo "lwip-mcast did not start"; cat "$TMP/lwip.log"; exit 1; }
ll_wait "$NS_RTR"

# lw: send one command, wait for its answer (the lines after the ones
# there were), print it. Multi-line answers end with "end".
lw() {
	before=$(wc -l <"$TMP/lwip.out")
	echo "$*" >&3
	case "$1" in counts | stats) last='^end$' ;; *) last='' ;; esac
	wait_for 5 sh -c "tail -n +$((before + 1)) '$TMP/lwip.out' | grep -q '${last:-.}'" ||
		echo "no answer to: $*" >&2
	tail -n +$((before + 1)) "$TMP/lwip.out" | grep -v '^end$'
}
count() { lw counts | awk -v g="$1" -v s="$2" '$2 == g && $3 == s { n = $4 } END { print n + 0 }'; }

# mcastd: short timers, so that answers to queries are what keeps groups
start_mcastd "$NS_RTR" "interface wan vif always
interface lw0 query-interval 2s query-response 1s lmqi 500ms" || exit 1

# groups: mcastd's view of lw0, one "group mode sources" line each
groups() { ctl mcastd --json show groups | jq -r '(.ipv4, .ipv6) | .interfaces[] | select(.name == "lw0") |
	.groups[]? | "\(.group) \(.filter_mode | ascii_downcase) \([.sources[]?.address] | join(","))"' | sort; }
has_group() { groups | grep -q "^$1 $2 $3\$"; }
no_group() { ! groups | grep -q "^$1 "; }

echo "== IGMPv3 EXCLUDE: join, then block a source"
check "join 239.9.9.1" "ok" "$(lw join 239.9.9.1)"
check "block 239.9.9.1 10.0.0.6" "ok" "$(lw block 239.9.9.1 10.0.0.6)"
check "the lwIP host's interface state" "state 239.9.9.1 exclude 10.0.0.6" "$(lw state 239.9.9.1)"
# (mcastd lists the excluded source among the group's sources)
wait_for 10 has_group 239.9.9.1 exclude 10.0.0.6
check "mcastd: 239.9.9.1 EXCLUDE {10.0.0.6} on lw0" "yes" "$(has_group 239.9.9.1 exclude 10.0.0.6 && echo yes)"
echo "== IGMPv3 INCLUDE (SSM) and MLDv2 SSM joins"
check "join-source 232.9.9.1 10.0.0.5" "ok" "$(lw join-source 232.9.9.1 10.0.0.5)"
check "join-source ff3e::9:1 2001:db8::5" "ok" "$(lw join-source ff3e::9:1 2001:db8::5)"
check "a second join is refused as Linux does" "error: Address already in use" "$(lw join 239.9.9.1)"
wait_for 10 has_group 232.9.9.1 include 10.0.0.5
wait_for 10 has_group ff3e::9:1 include 2001:db8::5
check "mcastd: 232.9.9.1 INCLUDE {10.0.0.5}" "yes" "$(has_group 232.9.9.1 include 10.0.0.5 && echo yes)"
check "mcastd: ff3e::9:1 INCLUDE {2001:db8::5} (MLDv2)" "yes" "$(has_group ff3e::9:1 include 2001:db8::5 && echo yes)"
# link-scope groups keep no state in a router (docs/wire.md): the host side
check "the engine holds the solicited-node group of 2001:db8:9::2" "state ff02::1:ff00:2 exclude" \
	"$(lw state ff02::1:ff00:2)"
st=$(lw stats)
check "the engines follow mcastd's IGMPv3 and MLDv2 queries" "3 2" \
	"$(echo "$st" | awk '$2 == "v4" { v4 = $7 } $2 == "v6" { v6 = $7 } END { sub("version=", "", v4); sub("version=", "", v6); print v4, v6 }')"

echo "== MLDv2 EXCLUDE: an any-source join with a blocked source (ff1e::, outside the SSM range)"
check "join ff1e::9:2" "ok" "$(lw join ff1e::9:2)"
check "block ff1e::9:2 2001:db8::6" "ok" "$(lw block ff1e::9:2 2001:db8::6)"
wait_for 10 has_group ff1e::9:2 exclude 2001:db8::6
check "mcastd: ff1e::9:2 EXCLUDE {2001:db8::6} (MLDv2)" "yes" "$(has_group ff1e::9:2 exclude 2001:db8::6 && echo yes)"

echo "== setsourcefilter (MCAST_MSFILTER) on the lwIP host"
check "filter 239.9.9.2 include 10.0.0.5 10.0.0.6" "ok" "$(lw filter 239.9.9.2 include 10.0.0.5 10.0.0.6)"
wait_for 10 has_group 239.9.9.2 include 10.0.0.5,10.0.0.6
check "mcastd: 239.9.9.2 INCLUDE {10.0.0.5, 10.0.0.6}" "yes" "$(has_group 239.9.9.2 include 10.0.0.5,10.0.0.6 && echo yes)"
check "filter 239.9.9.2 exclude 10.0.0.6 (mode change)" "ok" "$(lw filter 239.9.9.2 exclude 10.0.0.6)"
check "its interface state" "state 239.9.9.2 exclude 10.0.0.6" "$(lw state 239.9.9.2)"
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock --json show groups | jq -e '.ipv4.interfaces[] | select(.name == \"lw0\") | .groups[] | select(.group == \"239.9.9.2\" and .filter_mode == \"EXCLUDE\")'"
check "mcastd: 239.9.9.2 now EXCLUDE" "yes" "$(groups | grep -q '^239.9.9.2 exclude' && echo yes)"
check "filter 239.9.9.2 include (empty: leaves)" "ok" "$(lw filter 239.9.9.2 include)"
check "the lwIP host left 239.9.9.2" "state 239.9.9.2 none" "$(lw state 239.9.9.2)"
check "a filter with a multicast source is refused (EINVAL)" "error: Invalid argument" "$(lw filter 239.9.9.3 include 239.1.1.1)"

echo "== the streams: two sources to each group"
pids=""
for gs in 239.9.9.1/10.0.0.5 239.9.9.1/10.0.0.6 232.9.9.1/10.0.0.5 232.9.9.1/10.0.0.6 \
	ff3e::9:1/2001:db8::5 ff3e::9:1/2001:db8::6 ff1e::9:2/2001:db8::5 ff1e::9:2/2001:db8::6; do
	send "${gs%/*}" "${gs#*/}" 10 20 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
wait_for 5 sh -c "[ \$(echo counts >&3; sleep 0.2; grep -c '^count ff1e::9:2 2001:db8::5 10\$' '$TMP/lwip.out') -gt 0 ]"
check "239.9.9.1 from 10.0.0.5 (not blocked): 10" "10" "$(count 239.9.9.1 10.0.0.5)"
check "239.9.9.1 from 10.0.0.6 (blocked): 0" "0" "$(count 239.9.9.1 10.0.0.6)"
check "232.9.9.1 from 10.0.0.5 (the channel): 10" "10" "$(count 232.9.9.1 10.0.0.5)"
check "232.9.9.1 from 10.0.0.6: 0" "0" "$(count 232.9.9.1 10.0.0.6)"
check "ff3e::9:1 from 2001:db8::5 (the channel): 10" "10" "$(count ff3e::9:1 2001:db8::5)"
check "ff3e::9:1 from 2001:db8::6: 0" "0" "$(count ff3e::9:1 2001:db8::6)"
check "ff1e::9:2 from 2001:db8::5 (not blocked): 10" "10" "$(count ff1e::9:2 2001:db8::5)"
check "ff1e::9:2 from 2001:db8::6 (blocked): 0" "0" "$(count ff1e::9:2 2001:db8::6)"

echo "== query answers keep the groups"
q0=$(lw stats | awk '$2 == "v4" { sub("rx_queries=", "", $3); print $3 }')
wait_for 15 sh -c "[ \$(echo stats >&3; sleep 0.3; grep '^stats v4' '$TMP/lwip.out' | tail -1 | sed 's/.*rx_queries=\([0-9]*\).*/\1/') -ge $((q0 + 3)) ]"
st=$(lw stats)
check "the engine heard 3 more IGMP queries from mcastd (10.0.9.1)" "yes" \
	"$(echo "$st" | awk -v q="$q0" '$2 == "v4" { split($3, a, "="); if (a[2] >= q + 3 && $8 == "querier=10.0.9.1") print "yes" }')"
check "and MLD queries" "yes" "$(echo "$st" | awk '$2 == "v6" { split($3, a, "="); if (a[2] > 0) print "yes" }')"
check "239.9.9.1 still EXCLUDE {10.0.0.6} after 3 query intervals (GMI 5 s)" "yes" \
	"$(has_group 239.9.9.1 exclude 10.0.0.6 && echo yes)"
check "232.9.9.1 still INCLUDE {10.0.0.5}" "yes" "$(has_group 232.9.9.1 include 10.0.0.5 && echo yes)"
check "ff3e::9:1 still INCLUDE {2001:db8::5}" "yes" "$(has_group ff3e::9:1 include 2001:db8::5 && echo yes)"
check "lwIP's own IGMPv2/MLDv1 messages stayed off the wire" "yes" \
	"$(echo "$st" | awk '$2 == "dev" { split($5, a, "="); if (a[2] > 0) print "yes" }')"
# the driver's MAC filter: frames for a group the host did not join
# (sent by rtr itself onto lw0) never reach lwIP
filtered() { lw stats | awk '$2 == "dev" { split($4, a, "="); print a[2] }'; }
f0=$(filtered)
in_ns "$NS_RTR" "$BIN/mcjoin" -i lw0 -p "$PORT" send 239.9.9.77 10.0.9.1 5 10
wait_for 5 sh -c "[ \$(echo stats >&3; sleep 0.2; grep '^stats dev' '$TMP/lwip.out' | tail -1 | sed 's/.*rx_filtered=\([0-9]*\).*/\1/') -ge $((f0 + 5)) ]"
check "the MAC filter dropped the 5 frames to 239.9.9.77 (not joined)" "yes" "$([ "$(filtered)" -ge $((f0 + 5)) ] && echo yes)"
check "and the application got none of them" "0" "$(count 239.9.9.77 10.0.9.1)"

echo "== hostile input on the lwIP host's link"
# from rtr itself out of lw0: an IGMPv3 query with a wrong checksum, and
# a 3,000-byte IGMP datagram (fragmented, without IP options: lwIP's
# reassembly drops fragments that have them)
v4stat() { lw stats | awk -v k="$1" '$2 == "v4" { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }'; }
devstat() { lw stats | awk -v k="$1" '$2 == "dev" { for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }'; }
d0=$(v4stat drops) o0=$(devstat oversized)
in_ns "$NS_RTR" /usr/bin/python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.0.9.1"))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([148, 4, 0, 0]))  # Router Alert
# IGMPv3 general query, checksum field wrong on purpose
s.sendto(struct.pack("!BBHIBBH", 0x11, 100, 0xdead, 0, 2, 125, 0), ("224.0.0.1", 0))
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER: IP_PMTUDISC_DONT, so it fragments
s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, b"")  # lwIP reassembles only fragments without options
s.sendto(bytes([0x11, 100, 0, 0]) + bytes(2996), ("224.0.0.1", 0))
'
wait_for 5 sh -c "[ \$(echo stats >&3; sleep 0.2; grep '^stats dev' '$TMP/lwip.out' | tail -1 | sed 's/.*oversized=\([0-9]*\).*/\1/') -gt $o0 ]"
check "the bad checksum is counted as a drop by the engine" "yes" "$([ "$(v4stat drops)" -gt "$d0" ] && echo yes)"
check "the 3,000-byte datagram is taken from lwIP and dropped (oversized)" "yes" \
	"$([ "$(devstat oversized)" -gt "$o0" ] && echo yes)"
check "the lwIP host still answers: its groups stay in mcastd" "yes" "$(has_group 232.9.9.1 include 10.0.0.5 && echo yes)"

echo "== leaves"
check "leave 239.9.9.1" "ok" "$(lw leave 239.9.9.1)"
check "leave-source 232.9.9.1 10.0.0.5" "ok" "$(lw leave-source 232.9.9.1 10.0.0.5)"
check "leave-source ff3e::9:1 2001:db8::5" "ok" "$(lw leave-source ff3e::9:1 2001:db8::5)"
wait_for 10 sh -c "! $BIN/mcastctl -S $TMP/mcastd.sock --json show groups | grep -q -e 239.9.9.1 -e 232.9.9.1 -e ff3e::9:1"
check "mcastd: 239.9.9.1 gone" "yes" "$(no_group 239.9.9.1 && echo yes)"
check "mcastd: 232.9.9.1 gone" "yes" "$(no_group 232.9.9.1 && echo yes)"
check "mcastd: ff3e::9:1 gone" "yes" "$(no_group ff3e::9:1 && echo yes)"
send 239.9.9.1 10.0.0.5 5 10
sleep 0.3 # nothing should arrive: a short look, the count must not move
check "after the leave nothing more of 239.9.9.1 is received" "10" "$(count 239.9.9.1 10.0.0.5)"

echo "quit" >&3
exec 3>&-
wait "$LWIP_PID"
kill -INT "$DUMPCAP_PID"
wait "$DUMPCAP_PID"
"$BIN/mcastdump" "$TMP/lw0.pcapng" >"$TMP/lw0.txt"

echo "== on the wire (dumpcap on lw0, decoded by mcastdump)"
# the lwIP host's messages: from 10.0.9.2 and its link-local address
# (fe80::ff:fe00:902, from the MAC 02:00:00:00:09:02)
awk '$4 == "10.0.9.2" || $4 == "fe80::ff:fe00:902"' "$TMP/lw0.txt" >"$TMP/lwip-wire.txt"
n() { grep -c -- "$1" "$TMP/lwip-wire.txt"; }
check "no IGMPv1/v2 or MLDv1 message from the lwIP host" "0" "$(grep -c -e IGMPv1 -e IGMPv2 -e MLDv1 "$TMP/lwip-wire.txt")"
check "its first report: the join, TO_EX 239.9.9.1 {}" "IGMPv3 report: TO_EX 239.9.9.1 {}" \
	"$(grep -m1 IGMPv3 "$TMP/lwip-wire.txt" | cut -d' ' -f7-)"
# RFC 3376 5.1 / RFC 3810 6.1: each change [Robustness Variable] = 2 times
check "BLOCK 239.9.9.1 {10.0.0.6} sent twice" "2" "$(n 'BLOCK 239.9.9.1 {10.0.0.6}')"
check "ALLOW 232.9.9.1 {10.0.0.5} sent twice" "2" "$(n 'ALLOW 232.9.9.1 {10.0.0.5}')"
check "MLDv2 ALLOW ff3e::9:1 {2001:db8::5} sent twice" "2" "$(n 'MLDv2 report: .*ALLOW ff3e::9:1 {2001:db8::5}')"
check "the leave: TO_IN 239.9.9.1 {} sent twice" "2" "$(n 'TO_IN 239.9.9.1 {}')"
check "BLOCK 232.9.9.1 {10.0.0.5} sent twice" "2" "$(n 'BLOCK 232.9.9.1 {10.0.0.5}')"
check "MLDv2 BLOCK ff3e::9:1 {2001:db8::5} sent twice" "2" "$(n 'BLOCK ff3e::9:1 {2001:db8::5}')"
check "query answers: IS_EX 239.9.9.1 {10.0.0.6} in current-state reports" "yes" \
	"$([ "$(n 'IS_EX 239.9.9.1 {10.0.0.6}')" -ge 3 ] && echo yes)"
check "MLDv2 answers: IS_IN ff3e::9:1 {2001:db8::5}" "yes" "$([ "$(n 'IS_IN ff3e::9:1 {2001:db8::5}')" -ge 3 ] && echo yes)"
check "the solicited-node group reported in MLDv2 (TO_EX ff02::1:ff00:2 {})" "yes" \
	"$([ "$(n 'TO_EX ff02::1:ff00:2 {}')" -ge 1 ] && echo yes)"
check "the msfilter mode change went out as TO_EX 239.9.9.2 {10.0.0.6}" "yes" \
	"$([ "$(n 'TO_EX 239.9.9.2 {10.0.0.6}')" -ge 1 ] && echo yes)"
check "every lwIP report went to 224.0.0.22 or ff02::16" "0" \
	"$(awk '$6 != "224.0.0.22" && $6 != "ff02::16"' "$TMP/lwip-wire.txt" | wc -l)"
echo "lwip: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
