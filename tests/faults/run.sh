#!/bin/sh
# mcastd left alone under faults (make check, as root): control clients
# that hold on, kernel calls that fail or silently do nothing (the
# LD_PRELOAD shim faultshim.so), a netlink overrun, an interface deleted
# and re-created, SIGSTOP, kill -9 in a report storm, odd standard
# descriptors, a second instance, privileges. Topology: tests/netns/lib.sh.
#   tests/faults/run.sh [BIN [LIB]]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
LIB=${2:-build/lib}
. tests/netns/lib.sh

if [ "$(id -u)" != 0 ]; then
	echo "faults: needs root (network namespaces); skipped" >&2
	exit 77 # scripts/check counts it as skipped
fi

CONF="audit-interval off
interface wan query-interval 10s query-response 2s
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s
route from wan source 10.0.0.7 group 239.9.9.9 to lan1"

FAULTS="$TMP/faults"
: >"$FAULTS"
# faults RULES...: replaces the shim's rules (a new file, so it rereads)
faults() { printf '%s\n' "$@" >"$FAULTS.new" && mv "$FAULTS.new" "$FAULTS"; }
# stat NAME: a daemon-wide counter, or the sum of a per-family one
stat() { ctl mcastd show stats | awk -v k="$1" '$1 == k { s += $2 } END { print s + 0 }'; }
at_least() { [ "$(stat "$1")" -ge "$2" ]; }
# in_cache GROUP ORIGIN: a resolved entry (the unresolved queue shows Iif -1)
in_cache() { in_ns "$NS_RTR" awk -v g="$1" -v s="$2" '$1 == g && $2 == s && $3 != -1 { f = 1 } END { exit !f }' /proc/net/ip_mr_cache; }
has_group() { ctl mcastd show groups | grep -q "$1"; }

topology
MCASTD_ENV="LD_PRELOAD=$PWD/$LIB/libmcast_faultshim.so MCAST_FAULT_FILE=$FAULTS" \
	start_mcastd "$NS_RTR" "$CONF" || exit 1

echo "== 100 idle and 10 byte-at-a-time control clients do not hold the daemon"
"$BIN/ctlflood" "$TMP/mcastd.sock" 100 10 100 6000 >"$TMP/flood.out" 2>&1 &
flood=$!
wait_for 5 at_least control_clients 110
check "110 clients connected at once" "yes" "$(at_least control_clients 110 && echo yes)"
recv_start h1 "$NS_H1" join 239.1.1.1 recv 3000
wait_for 5 has_group 239.1.1.1
send 239.1.1.1 10.0.0.5 10 20
recv_wait h1
check "h1 joined and received meanwhile" "10.0.0.5 239.1.1.1 10" "$(got h1)"
check "show groups answers meanwhile" "0" "$(ctl mcastd show groups >/dev/null; echo $?)"
wait "$flood"
check "idle clients still connected after 6 s" "idle 100" "$(sed -n 1p "$TMP/flood.out")"
check "byte-at-a-time clients got whole answers" "slow 10/10" "$(sed -n 2p "$TMP/flood.out")"

echo "== a failing MRT_ADD_MFC is a state, retried until the kernel takes it"
faults "add_mfc fail *"
recv_start h2 "$NS_H2" join 239.3.3.3 recv 8000
wait_for 5 has_group 239.3.3.3
send 239.3.3.3 10.0.0.6 3 20
failing() { ctl mcastd show kernel | grep -q "(10.0.0.6, 239.3.3.3) failing: MRT_ADD_MFC: Input/output error"; }
wait_for 5 failing
check "show kernel says failing, with the call and the error" "yes" "$(failing && echo yes)"
wait_for 5 at_least kernel_failures 3
check "tried again with backoff (100 ms, 200 ms, ...)" "yes" "$(at_least kernel_retries 2 && echo yes)"
check "not in the kernel" "no" "$(in_cache 030303EF 0600000A && echo yes || echo no)"
faults ""
wait_for 40 in_cache 030303EF 0600000A
check "installed once the kernel takes it" "yes" "$(in_cache 030303EF 0600000A && echo yes)"
send 239.3.3.3 10.0.0.6 10 20
recv_wait h2
check "h2 receives" "yes" "$(got h2 | awk '$1 == "10.0.0.6" && $3 >= 10 { print "yes" }')"

echo "== an entry the kernel silently lost is found and written by the audit"
faults "add_mfc drop 1"
recv_start h1 "$NS_H1" join 239.4.4.4 recv 6000
wait_for 5 has_group 239.4.4.4
send 239.4.4.4 10.0.0.6 3 20
missing() { ctl mcastd show kernel | grep -q "(10.0.0.6, 239.4.4.4) missing"; }
wait_for 5 missing
check "show kernel says missing" "yes" "$(missing && echo yes)"
before=$(stat drift_added)
check "mcastctl audit" "0" "$(ctl mcastd audit; echo $?)"
check "the audit wrote it" "yes" "$(in_cache 040404EF 0600000A && echo yes)"
check "counted as drift" "$((before + 1))" "$(stat drift_added)"
send 239.4.4.4 10.0.0.6 10 20
recv_wait h1
check "h1 receives" "yes" "$(got h1 | awk '$1 == "10.0.0.6" && $3 >= 10 { print "yes" }')"

echo "== a reload removes what the kernel kept although we deleted it (stale)"
check "static route installed" "yes" "$(wait_for 5 in_cache 090909EF 0700000A && echo yes)"
faults "del_mfc drop 1"
before=$(stat drift_removed)
printf '%s\n' "$CONF" | grep -v "^route" >"$TMP/mcastd.conf"
check "reload" "0" "$(ctl mcastd reload; echo $?)"
gone() { ! in_cache 090909EF 0700000A; }
wait_for 5 gone
check "the resync after the reload removed it" "yes" "$(gone && echo yes)"
check "counted as drift" "$((before + 1))" "$(stat drift_removed)"
check "the shim dropped the first delete" "1" "$(grep -c 'faultshim: del_mfc dropped' "$TMP/mcastd.log")"

echo "== the periodic audit repairs without being asked (audit-interval 1s)"
printf '%s\n' "$CONF" | grep -v "^route" | sed 's/^audit-interval off/audit-interval 1s/' >"$TMP/mcastd.conf"
check "reload" "0" "$(ctl mcastd reload; echo $?)"
faults "add_mfc drop 1"
recv_start h1 "$NS_H1" join 239.8.8.8 recv 5000
wait_for 5 has_group 239.8.8.8
send 239.8.8.8 10.0.0.6 3 20
wait_for 5 in_cache 080808EF 0600000A
check "the dropped entry written by a periodic audit" "yes" "$(in_cache 080808EF 0600000A && echo yes)"
check "the shim dropped it" "1" "$(grep -c 'faultshim: add_mfc dropped' "$TMP/mcastd.log" | awk '{ print $1 - 1 }')"
recv_wait h1

echo "== a failing MRT_ADD_VIF is retried; entries get the VIF back"
faults "add_vif fail 3"
in_ns "$NS_RTR" ip link set lan2 down
wait_for 5 sh -c "ip netns exec $NS_RTR awk '\$2 == \"lan2\"' /proc/net/ip_mr_vif | grep -q . && exit 1 || exit 0"
in_ns "$NS_RTR" ip link set lan2 up
vif_back() { in_ns "$NS_RTR" awk '$2 == "lan2"' /proc/net/ip_mr_vif | grep -q .; }
wait_for 10 vif_back
check "lan2's VIF back after 3 failures" "yes" "$(vif_back && echo yes)"
check "the shim failed it 3 times" "3" "$(grep -c 'faultshim: add_vif failed' "$TMP/mcastd.log")"
faults ""
recv_start h2 "$NS_H2" join 239.5.5.5 recv 4000
wait_for 8 has_group 239.5.5.5
send 239.5.5.5 10.0.0.5 10 20
recv_wait h2
check "h2 receives through the re-added VIF" "10.0.0.5 239.5.5.5 10" "$(got h2)"

echo "== an IGMP datagram larger than a receive slot (12,000 bytes, fragmented) is dropped and counted"
# raw IGMP from h1 to 224.0.0.22: the router reassembles it, mcastd's
# recvmmsg slot (9 KB + headers) cuts it, mcastd counts and goes on
in_ns "$NS_H1" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
s.setsockopt(socket.IPPROTO_IP, 10, 0)  # IP_MTU_DISCOVER: IP_PMTUDISC_DONT, so it fragments
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.sendto(bytes([0x22, 0, 0, 0]) + bytes(11996), ("224.0.0.22", 0))
'
wait_for 5 at_least oversized_dropped 1
check "oversized_dropped counted" "1" "$(stat oversized_dropped)"
recv_start h1 "$NS_H1" join 239.1.2.3 recv 1500
wait_for 5 has_group 239.1.2.3
check "reports after it are still heard" "yes" "$(has_group 239.1.2.3 && echo yes)"
recv_wait h1

echo "== a netlink overrun: every link read again"
kill -STOP "$(cat "$TMP/mcastd.pid")"
: >"$TMP/batch"
for i in $(seq 300); do echo "link add ov$i type veth peer name ovp$i" >>"$TMP/batch"; done
echo "link set lan2 down" >>"$TMP/batch"
in_ns "$NS_RTR" ip -batch "$TMP/batch"
kill -CONT "$(cat "$TMP/mcastd.pid")"
wait_for 10 at_least netlink_overruns 1
check "overrun seen" "yes" "$(at_least netlink_overruns 1 && echo yes)"
lan2_down() { ctl mcastd show interfaces | awk '$1 == "lan2" { print $3; exit }' | grep -q down; }
wait_for 5 lan2_down
check "lan2 known down after the resync" "yes" "$(lan2_down && echo yes)"
check "the kernel tables audited after it" "yes" "$(at_least resyncs 1 && echo yes)"
sed 's/^link add \(ov[0-9]*\) .*/link del \1/; s/^link set lan2 down/link set lan2 up/' "$TMP/batch" >"$TMP/batch2"
in_ns "$NS_RTR" ip -batch "$TMP/batch2"

echo "== lan2 deleted and created again (new index) while a stream flows"
send 239.6.6.6 10.0.0.5 250 20 &
sender=$!
old=$(in_ns "$NS_RTR" cat /sys/class/net/lan2/ifindex)
in_ns "$NS_RTR" ip link del lan2
link "$NS_RTR" lan2 "$NS_H2" eth0
in_ns "$NS_RTR" ip addr add 10.0.2.1/24 dev lan2
in_ns "$NS_RTR" ip addr add 2001:db8:2::1/64 dev lan2 nodad
in_ns "$NS_H2" ip addr add 10.0.2.10/24 dev eth0
new=$(in_ns "$NS_RTR" cat /sys/class/net/lan2/ifindex)
check "a new index" "yes" "$([ "$new" != "$old" ] && echo yes)"
recv_start h2 "$NS_H2" join 239.6.6.6 recv 3000
recv_wait h2
wait "$sender"
check "h2 receives the stream on the new lan2" "yes" "$(got h2 | awk '$1 == "10.0.0.5" && $3 > 0 { print "yes" }')"
check "lan2's VIF is on the new device" "$new" \
	"$(ctl mcastd show vifs --json | jq '.ipv4.vifs[] | select(.name == "lan2") | .ifindex')"
check "nothing failing" "0" "$(stat kernel_pending)"

echo "== reports that change one entry twice in a batch cost one kernel call"
# A stream to 239.6.7.7 makes an entry with no outputs; with mcastd
# stopped, h1 (lan1) and h2 (lan2) join: both reports wait in one queue,
# are read in one batch, and the entry's two changes go to the kernel once.
send 239.6.7.7 10.0.0.5 400 10 &
sender=$!
wait_for 5 in_cache 070706EF 0500000A
co0=$(stat kernel_coalesced)
kill -STOP "$(cat "$TMP/mcastd.pid")"
recv_start h1 "$NS_H1" join 239.6.7.7 recv 2500
recv_start h2 "$NS_H2" join 239.6.7.7 recv 2500
sleep 0.3 # both joins' reports queued while mcastd is stopped (what is tested)
kill -CONT "$(cat "$TMP/mcastd.pid")"
recv_wait h1 h2
wait "$sender"
check "the two changes merged (kernel_coalesced)" "yes" "$([ "$(stat kernel_coalesced)" -gt "$co0" ] && echo yes)"
check "h1 and h2 both receive" "yes yes" \
	"$(got h1 | awk '$1 == "10.0.0.5" && $3 > 0 { print "yes" }') $(got h2 | awk '$1 == "10.0.0.5" && $3 > 0 { print "yes" }')"

echo "== SIGSTOP for 30 s: no burst of queries, timers go on"
sum_queries() { ctl mcastd show stats --json | jq '[.interfaces[].tx_general_queries] | add'; }
q0=$(sum_queries)
kill -STOP "$(cat "$TMP/mcastd.pid")"
sleep 30 # the stop itself is what is tested
kill -CONT "$(cat "$TMP/mcastd.pid")"
wait_for 5 at_least stalls 1
q1=$(sum_queries)
check "noticed the stop" "yes" "$(at_least stalls 1 && echo yes)"
check "at most one general query per interface and family (6), not one per missed interval" "yes" \
	"$([ $((q1 - q0)) -le 6 ] && echo yes)"
more_queries() { [ "$(sum_queries)" -gt "$q1" ]; }
wait_for 15 more_queries
check "queries go on afterwards" "yes" "$(more_queries && echo yes)"

echo "== a second mcastd on the same control socket is refused"
printf 'interface eth0\n' >"$TMP/other.conf"
in_ns "$NS_H1" "$BIN/mcastd" -n -u root -f "$TMP/other.conf" -S "$TMP/mcastd.sock" >"$TMP/other.log" 2>&1
check "exit status 1" "1" "$?"
check "says why" "mcastd: another mcastd answers on $TMP/mcastd.sock; not starting" "$(cat "$TMP/other.log")"
check "the first one still answers" "0" "$(ctl mcastd show interfaces >/dev/null; echo $?)"

echo "== kill -9 during a 100,000-group report storm; a restart forwards again within one query interval"
in_ns "$NS_H2" "$BIN/mcstorm" eth0 10.0.2.10 100000 20 >/dev/null 2>&1 &
storm=$!
wait_for 10 at_least rx_records 50000
lan2_groups() { ctl mcastd show interfaces | awk '$1 == "lan2" && $4 == "IGMP" { print $NF }'; }
groups_capped() { [ "$(lan2_groups)" = 16384 ]; }
wait_for 5 groups_capped
check "the host got 16384 groups on lan2 (max-groups), no more" "16384" "$(lan2_groups)"
check "the rest refused and counted" "yes" "$(at_least group_limit 1 && echo yes)"
check "and said in the log, rate-limited" "yes" \
	"$(n=$(grep -c 'lan2: group .* refused: max-groups 16384 reached' "$TMP/mcastd.log"); [ "$n" -ge 1 ] && [ "$n" -le 12 ] && echo yes)"
kill -9 "$(cat "$TMP/mcastd.pid")"
wait "$storm"
check "no VIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip_mr_vif | wc -l)"
check "no entry left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip_mr_cache | wc -l)"
check "no IPv6 MIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip6_mr_vif | wc -l)"
recv_start h1 "$NS_H1" join 239.7.7.7 recv 16000
send 239.7.7.7 10.0.0.5 140 100 &
sender=$!
MCASTD_ENV="" start_mcastd "$NS_RTR" "$CONF" || exit 1
forwarding() { in_ns "$NS_RTR" awk '$1 == "070707EF" && NF >= 7' /proc/net/ip_mr_cache | grep -q .; }
wait_for 12 forwarding
check "forwarding to h1 again within 12 s (QI 10 s + QRI 2 s)" "yes" "$(forwarding && echo yes)"
wait "$sender"
recv_wait h1
check "h1 receives" "yes" "$(got h1 | awk '$2 == "239.7.7.7" && $3 > 0 { print "yes" }')"
kill -TERM "$(cat "$TMP/mcastd.pid")"
wait "$(cat "$TMP/mcastd.pid")"
check "SIGTERM: exit status 0" "0" "$?"

echo "== MLD only with stdin readable; IGMP only with stdin, stdout and stderr closed"
printf 'interface lan1 igmp off\ninterface lan2 igmp off\n' >"$TMP/mld.conf"
yes | ip netns exec "$NS_RTR" "$BIN/mcastd" -n -d -u root -f "$TMP/mld.conf" -S "$TMP/mld.sock" >"$TMP/mld.log" 2>&1 &
mld=$!
wait_for 5 test -S "$TMP/mld.sock"
check "answers" "lan1 MLD
lan2 MLD" "$("$BIN/mcastctl" -S "$TMP/mld.sock" show interfaces | awk 'NR > 1 { print $1, $4 }')"
check "no IGMP socket and nothing read from stdin" "0" "$(grep -c -i 'non-socket\|IPv4 receive' "$TMP/mld.log")"
kill -TERM "$mld"
wait "$mld"
check "exit status 0" "0" "$?"
printf 'interface lan1 mld off\n' >"$TMP/igmp.conf"
ip netns exec "$NS_RTR" "$BIN/mcastd" -n -u root -f "$TMP/igmp.conf" -S "$TMP/igmp.sock" <&- >&- 2>&- &
igmp=$!
wait_for 5 test -S "$TMP/igmp.sock"
check "answers" "lan1 IGMP" "$("$BIN/mcastctl" -S "$TMP/igmp.sock" show interfaces | awk 'NR > 1 { print $1, $4 }')"
check "descriptors 0-2 held by /dev/null" "/dev/null /dev/null /dev/null" \
	"$(for fd in 0 1 2; do readlink "/proc/$igmp/fd/$fd"; done | tr '\n' ' ' | sed 's/ $//')"
kill -TERM "$igmp"
wait "$igmp"
check "exit status 0" "0" "$?"

echo "== least privilege: -u nobody, only CAP_NET_ADMIN and CAP_NET_RAW; a pid file"
printf 'interface eth0\n' >"$TMP/h1.conf"
chmod 755 "$TMP"
chmod 644 "$TMP/h1.conf"
ip netns exec "$NS_H1" "$BIN/mcastd" -n -u nobody -p "$TMP/h1.pid" -f "$TMP/h1.conf" -S "$TMP/h1.sock" \
	>"$TMP/h1.log" 2>&1 &
h1d=$!
wait_for 5 test -S "$TMP/h1.sock"
check "status" "Uid:	65534	65534	65534	65534
Gid:	65534	65534	65534	65534
CapInh:	0000000000000000
CapPrm:	0000000000003000
CapEff:	0000000000003000
CapBnd:	0000000000000000
CapAmb:	0000000000000000
NoNewPrivs:	1" "$(grep -E '^(Uid|Gid|Cap[A-Za-z]+|NoNewPrivs):' "/proc/$h1d/status")"
check "pid file" "$h1d" "$(cat "$TMP/h1.pid")"
check "still routes as nobody (answers, IGMP on eth0)" "eth0 IGMP" \
	"$("$BIN/mcastctl" -S "$TMP/h1.sock" show interfaces | awk 'NR == 2 { print $1, $4 }')"
ip netns exec "$NS_H1" "$BIN/mcastd" -n -u nobody -p "$TMP/h1.pid" -f "$TMP/h1.conf" -S "$TMP/h1b.sock" \
	>"$TMP/h1b.log" 2>&1
check "a second start with the same pid file is refused" "1" "$?"
check "and says by whom" "yes" "$(grep -q "pid file $TMP/h1.pid is held by a running mcastd (pid $h1d)" "$TMP/h1b.log" && echo yes)"
ip netns exec "$NS_H1" "$BIN/mcastd" -n -u no-such-user-here -f "$TMP/h1.conf" -S "$TMP/h1c.sock" >"$TMP/h1c.log" 2>&1
check "an unknown -u user is refused" "2" "$?"
kill -TERM "$h1d"
wait "$h1d"

echo "faults: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
