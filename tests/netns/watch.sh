#!/bin/sh
# mcastctl watch: events as they happen, from real hosts' joins and
# leaves, the kernel's upcalls and entries, a querier change, a drop and
# a reload; several watchers at once, one filtered by interface, one in
# JSON, and a watcher that does not read loses events (counted and said)
# while the daemon goes on answering.
#   tests/netns/watch.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh
need_root watch

topology
CONF="interface wan
interface lan1 fast-leave on query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s"
start_mcastd "$NS_RTR" "$CONF" || exit 1

# watchers: all events (text), lan1 only (JSON), lan2 only (text)
ctl mcastd -T 12 watch >"$TMP/w.txt" 2>&1 &
w1=$!
ctl mcastd -T 12 --json watch lan1 >"$TMP/wj.txt" 2>&1 &
w2=$!
ctl mcastd -T 12 watch lan2 >"$TMP/w2.txt" 2>&1 &
w3=$!
wait_for 5 sh -c "[ \"\$($BIN/mcastctl -S $TMP/mcastd.sock show stats --all | awk '\$1 == \"control_clients\" { print \$2 }')\" -ge 4 ]"

echo "== a host joins, traffic flows, the host leaves; a link-local join is dropped; a reload"
recv_start h1 "$NS_H1" join 239.7.7.7 recv 1500
wait_for 5 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock show groups | grep -q 239.7.7.7"
send 239.7.7.7 10.0.0.5 5 20
recv_wait h1
in_ns "$NS_H1" "$BIN/mcjoin" -i eth0 join 224.0.0.251 sleep 300 >/dev/null 2>&1
in_ns "$NS_H2" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=2
in_ns "$NS_H2" "$BIN/mcjoin" -i eth0 join 239.7.7.8 sleep 300 >/dev/null 2>&1
wait_for 5 sh -c "! $BIN/mcastctl -S $TMP/mcastd.sock show groups | grep -q 239.7.7.7"
kill -HUP "$(cat "$TMP/mcastd.pid")"
sleep 0.5
echo "  (waiting for the watchers' -T)"
wait "$w1" "$w2" "$w3"
strip() { cut -d' ' -f2- "$1"; } # without the time
check "join seen, with the host" "1" "$(strip "$TMP/w.txt" | grep -c '^lan1 IGMP join (\*, 239.7.7.7) by 10.0.1.10$')"
check "the upcall for (10.0.0.5, 239.7.7.7) on wan" "1" \
	"$(strip "$TMP/w.txt" | grep -c '^upcall nocache (10.0.0.5, 239.7.7.7) on wan$')"
check "the entry added, out lan1" "1" "$(strip "$TMP/w.txt" | grep -c '^entry added (10.0.0.5, 239.7.7.7) in wan out lan1$')"
check "leave seen, with the host (fast leave)" "1" \
	"$(strip "$TMP/w.txt" | grep -c '^lan1 IGMP leave (\*, 239.7.7.7) by 10.0.1.10$')"
check "the entry changed: no output left" "1" \
	"$(strip "$TMP/w.txt" | grep -c '^entry changed (10.0.0.5, 239.7.7.7) in wan out none$')"
check "the link-local group's report: a drop event" "yes" \
	"$(strip "$TMP/w.txt" | grep -q '^drop lan1: report from 10.0.1.10: link-local group 224.0.0.251 refused' && echo yes)"
check "an IGMPv2 host: the group's compatibility mode" "1" \
	"$(strip "$TMP/w.txt" | grep -c '^state lan2: 239.7.7.8 in IGMPv2 compatibility mode$')"
check "the reload" "1" "$(strip "$TMP/w.txt" | grep -c '^reload done$')"
check "lines carry the time" "0" "$(grep -vc '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9] ' "$TMP/w.txt")"
check "JSON watcher of lan1: every line parses" "ok" "$(jq -e . "$TMP/wj.txt" >/dev/null && echo ok)"
check "JSON: the join" "lan1 ipv4 * 239.7.7.7 10.0.1.10" \
	"$(jq -r 'select(.event == "join") | "\(.interface) \(.family) \(.source) \(.group) \(.by)"' "$TMP/wj.txt")"
check "JSON: the entry added with its outputs" "added wan lan1" \
	"$(jq -r 'select(.event == "entry" and .what == "added") | "\(.what) \(.in) \(.out | join(" "))"' "$TMP/wj.txt")"
check "JSON (lan1 only): nothing about another interface" "" \
	"$(jq -r 'select(.interface != null and .interface != "lan1" and .interface != "") | .interface' "$TMP/wj.txt")"
check "the lan2 watcher saw none of lan1's joins" "0" "$(grep -c 'lan1 IGMP' "$TMP/w2.txt")"
check "the lan2 watcher saw the reload" "1" "$(strip "$TMP/w2.txt" | grep -c '^reload done$')"

echo "== a watcher that never reads loses events, and is told; mcastd goes on"
cat >"$TMP/slow.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"watch\n")
open(sys.argv[2], "w").write("connected\n")
time.sleep(float(sys.argv[3]))   # not reading: the daemon's buffer fills
s.settimeout(2)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    pass
sys.stdout.write(out.decode())
EOF
/usr/bin/python3 "$TMP/slow.py" "$TMP/mcastd.sock" "$TMP/slow.ready" 6 >"$TMP/slow.txt" &
sp=$!
wait_for 5 test -f "$TMP/slow.ready"
in_ns "$NS_H1" "$BIN/mcstorm" eth0 10.0.1.10 5000 1 >/dev/null
check "mcastd answers while the watcher is stuck" "ok" "$(ctl mcastd -T 2 show stats >/dev/null && echo ok)"
wait "$sp"
lost=$(ctl mcastd show stats --all | awk '$1 == "watch_lost" { print $2 }')
check "watch_lost counts what it lost" "yes" "$([ "${lost:-0}" -gt 0 ] && echo yes)"
check "and the watcher was told" "yes" "$(grep -q '^lost [0-9]* events$' "$TMP/slow.txt" && echo yes)"

echo "== a querier change: a second router with a lower address"
querier_pair
start_mcastd "$NS_Q2" "$QCONF" q2 || exit 1
ctl q2 -T 4 watch >"$TMP/wq.txt" 2>&1 &
wq=$!
sleep 0.5
start_mcastd "$NS_Q1" "$QCONF" q1 || exit 1
wait "$wq"
check "q2's watcher: the querier is now 10.9.0.1" "1" "$(strip "$TMP/wq.txt" | grep -c '^lan IGMP querier 10.9.0.1$')"

check "watch of an unknown interface: named" "mcastctl: no interface lan9 in the configuration" \
	"$(ctl mcastd -T 2 watch lan9 2>&1)"

echo "watch: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
