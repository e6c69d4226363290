#!/bin/sh
# mcastd between real Linux hosts in network namespaces (run as root by
# make check). Receivers join through the kernel's own socket API
# (tests/netns/mcjoin.c); what they print is what the kernel delivered
# to their sockets. See tests/netns/lib.sh for the topology.
#   tests/netns/run.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh

need_root netns

CONF="interface wan query-interval 10s query-response 2s
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s
ssm-map 232.9.9.0/24 10.0.0.5
static-group lan2 239.11.11.11"

topology
start_mcastd "$NS_RTR" "$CONF" || exit 1
sleep 0.5

echo "== IGMPv2 ASM: h1 (IGMPv2) gets both sources, h2 nothing"
in_ns "$NS_H1" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=2
recv_start h1 "$NS_H1" join 239.1.1.1 recv 2500
recv_start h2 "$NS_H2" join 239.1.1.99 recv 2500
sleep 0.5
send_both 239.1.1.1 10.0.0.5 10.0.0.6 10
recv_wait h1
check "h1 received" "10.0.0.5 239.1.1.1 10
10.0.0.6 239.1.1.1 10" "$(got h1)"
recv_wait h2
check "h2 received" "" "$(got h2)"
check "lan1 in IGMPv2 compatibility" "v2" \
	"$(ctl mcastd show groups | awk '$1 == "239.1.1.1" { print $3 }' | head -1)"
in_ns "$NS_H1" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=0

echo "== SSM mapping: an IGMPv2 host gets the mapped source of an SSM channel only"
in_ns "$NS_H1" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=2
recv_start h1 "$NS_H1" join 232.9.9.9 recv 2500
wait_for 5 sh -c "\"$BIN/mcastctl\" -S \"$TMP/mcastd.sock\" show groups | grep -q 232.9.9.9"
send_both 232.9.9.9 10.0.0.5 10.0.0.6 10
recv_wait h1
check "h1 (IGMPv2, 232.9.9.9 mapped to 10.0.0.5)" "10.0.0.5 232.9.9.9 10" "$(got h1)"
check "the router's lan1: INCLUDE of the mapped source" "include 10.0.0.5" \
	"$(ctl mcastd --json show groups | jq -r '.ipv4.interfaces[] | select(.name == "lan1") | .groups[] | select(.group == "232.9.9.9") | "\(.filter_mode) \([.sources[].address] | join(","))"')"
in_ns "$NS_H1" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=0

echo "== IGMPv3 INCLUDE and EXCLUDE with two senders"
# Linux takes setsourcefilter() only on a joined group: h1 joins the
# source directly (INCLUDE), h2 joins then excludes; the router excludes
# 10.0.0.5 on lan2 after its group-and-source query (LMQT, 2 s).
recv_start h1 "$NS_H1" sjoin 239.2.2.2 10.0.0.5 recv 5000
recv_start h2 "$NS_H2" join 239.2.2.2 filter 239.2.2.2 exclude 10.0.0.5 recv 5000
sleep 3
send_both 239.2.2.2 10.0.0.5 10.0.0.6 10
recv_wait h1
check "h1 (INCLUDE 10.0.0.5)" "10.0.0.5 239.2.2.2 10" "$(got h1)"
recv_wait h2
check "h2 (EXCLUDE 10.0.0.5)" "10.0.0.6 239.2.2.2 10" "$(got h2)"
check "kernel entries" "020202EF 0500000A 0 10 1:1
020202EF 0600000A 0 10 2:1" \
	"$(in_ns "$NS_RTR" awk '$1 == "020202EF" { print $1, $2, $3, $4, $7 }' /proc/net/ip_mr_cache | sort)"

echo "== mcastctl --proc ip_mr_cache and ip_mr_vif are the kernel's /proc/net files"
check "same lines" "$(in_ns "$NS_RTR" sort /proc/net/ip_mr_cache)" \
	"$(ctl mcastd --proc ip_mr_cache | sort)"
check "same VIF lines, the kernel's counters included" "$(in_ns "$NS_RTR" cat /proc/net/ip_mr_vif)" \
	"$(ctl mcastd --proc ip_mr_vif)"
check "show vifs counts what the kernel forwarded" "true" \
	"$(ctl mcastd show vifs --json | jq '[.ipv4.vifs[] | select(.name == "lan1") | .pkts_out > 0] == [true]')"

echo "== the views for people: show mfc, show vifs, show stats"
check "show mfc: (S, G), in, out by name, the kernel's packets" \
	"(10.0.0.5, 239.2.2.2) wan lan1 10|(10.0.0.6, 239.2.2.2) wan lan2 10" \
	"$(ctl mcastd show mfc | awk '$1 ~ /^\(10\.0\.0\.[56],$/ && $2 == "239.2.2.2)" { print $1, $2, $3, $4, $5 }' | tr '\n' '|' | sed 's/|$//')"
check "show vifs: lan1 by name, its ifindex, the kernel's packets out" "lan1 $(in_ns "$NS_RTR" cat /sys/class/net/lan1/ifindex) yes" \
	"$(ctl mcastd show vifs | awk '$2 == "lan1" { print $2, $3, ($(NF-1) > 0 ? "yes" : "no") }' | head -1)"
check "show stats lan1: that interface only, no zero counter" "lan1 IGMP:|lan1 MLD:|0" \
	"$(ctl mcastd show stats lan1 | awk '/^[a-z]/ { print } $2 == "0" { z++ } END { print z + 0 }' | tr '\n' '|' | sed 's/|$//')"
check "show stats --all lists zeros too" "yes" \
	"$(ctl mcastd --all show stats lan1 | awk '$1 == "drop_bad_ttl" { print "yes" }' | head -1)"
check "show stats of an unknown interface: an error naming it" "mcastctl: no interface lan9 in the configuration" \
	"$(ctl mcastd show stats lan9 2>&1)"

echo "== MLDv1 ASM (h1) and MLDv2 SSM (h2)"
in_ns "$NS_H1" sysctl -qw net.ipv6.conf.eth0.force_mld_version=1
recv_start h1 "$NS_H1" join ff0e::1:1 recv 2500
recv_start h2 "$NS_H2" sjoin ff3e::1:2 2001:db8::5 recv 2500
sleep 0.5
send_both ff0e::1:1 2001:db8::5 2001:db8::6 10
send_both ff3e::1:2 2001:db8::5 2001:db8::6 10
recv_wait h1
check "h1 (MLDv1 join)" "2001:db8::5 ff0e::1:1 10
2001:db8::6 ff0e::1:1 10" "$(got h1)"
recv_wait h2
check "h2 (MLDv2 SSM 2001:db8::5)" "2001:db8::5 ff3e::1:2 10" "$(got h2)"
in_ns "$NS_H1" sysctl -qw net.ipv6.conf.eth0.force_mld_version=0

echo "== MLDv2 ASM with EXCLUDE"
recv_start h1 "$NS_H1" join ff0e::3:3 recv 2500
recv_start h2 "$NS_H2" join ff0e::3:3 filter ff0e::3:3 exclude 2001:db8::5 recv 2500
sleep 0.5
send_both ff0e::3:3 2001:db8::5 2001:db8::6 10
recv_wait h1
check "h1 (MLDv2 join)" "2001:db8::5 ff0e::3:3 10
2001:db8::6 ff0e::3:3 10" "$(got h1)"
recv_wait h2
check "h2 (EXCLUDE 2001:db8::5)" "2001:db8::6 ff0e::3:3 10" "$(got h2)"

echo "== a leave stops the flow (after the Last Member Query Time)"
recv_start h1 "$NS_H1" join 239.4.4.4 recv 1500
sleep 0.5
send 239.4.4.4 10.0.0.5 5 20
recv_wait h1
check "h1 while joined" "10.0.0.5 239.4.4.4 5" "$(got h1)"
sleep 2.5
out_before=$(in_ns "$NS_RTR" awk '$2 == "lan1" { print $5 }' /proc/net/ip_mr_vif)
send 239.4.4.4 10.0.0.5 5 20
sleep 0.2
out_after=$(in_ns "$NS_RTR" awk '$2 == "lan1" { print $5 }' /proc/net/ip_mr_vif)
check "nothing more out of lan1" "$out_before" "$out_after"
check "kernel entry has no outputs" "0" \
	"$(in_ns "$NS_RTR" awk '$1 == "040404EF" { print NF - 6 }' /proc/net/ip_mr_cache)"

echo "== interface down and up"
recv_start h1 "$NS_H1" join 239.5.5.5 recv 9000
sleep 0.5
in_ns "$NS_RTR" ip link set lan1 down
sleep 0.5
check "lan1 VIF gone from the kernel" "" "$(in_ns "$NS_RTR" awk '$2 == "lan1"' /proc/net/ip_mr_vif)"
in_ns "$NS_RTR" ip link set lan1 up
# the startup query comes at once; h1 answers within 2 s
sleep 3
check "lan1 VIF back" "lan1" "$(in_ns "$NS_RTR" awk '$2 == "lan1" { print $2 }' /proc/net/ip_mr_vif)"
send 239.5.5.5 10.0.0.5 5 20
recv_wait h1
check "h1 receives after the link came back" "10.0.0.5 239.5.5.5 5" "$(got h1)"

echo "== an address change reaches the querier election"
in_ns "$NS_RTR" ip addr add 10.0.3.1/24 dev lan2
in_ns "$NS_RTR" ip addr del 10.0.2.1/24 dev lan2
sleep 0.3
check "lan2 speaks from its new address" "10.0.3.1" \
	"$(ctl mcastd show interfaces | awk '$1 == "lan2" && $4 == "IGMP" { print $5 }')"
in_ns "$NS_RTR" ip addr add 10.0.2.1/24 dev lan2
in_ns "$NS_RTR" ip addr del 10.0.3.1/24 dev lan2
sleep 0.3
check "and back" "10.0.2.1" "$(ctl mcastd show interfaces | awk '$1 == "lan2" && $4 == "IGMP" { print $5 }')"

echo "== static groups and routes: from the file and at run time"
# (S,G) in the kernel with its outputs, by name: mfc S G -> "wan lan1 ..."
kmfc() { in_ns "$NS_RTR" ip mroute show | awk -v k="($1,$2)" '$1 == k { out = ""; for (i = 5; i <= NF && $i != "State:"; i++) out = out " " $i; print $3 out }'; }
send 239.11.11.11 10.0.0.5 3 20
wait_for 5 sh -c "ip netns exec $NS_RTR ip mroute show | grep -q '239.11.11.11.*lan2'"
check "static-group lan2 239.11.11.11 (no listener there): the kernel sends it to lan2" "wan lan2" \
	"$(kmfc 10.0.0.5 239.11.11.11)"
check "mcastctl static-group add on an unknown interface: named" \
	"mcastctl: no interface lan9 (configured: wan lan1 lan2)" "$(ctl mcastd static-group add lan9 239.12.12.12 2>&1)"
check "mcastctl static-group add with a bad group: named" \
	"mcastctl: bad group 10.1.1.1 (a multicast group beyond link scope)" "$(ctl mcastd static-group add lan1 10.1.1.1 2>&1)"
ctl mcastd static-group add lan1 239.12.12.12 10.0.0.5 >/dev/null
send 239.12.12.12 10.0.0.5 3 20
wait_for 5 sh -c "ip netns exec $NS_RTR ip mroute show | grep -q '239.12.12.12.*lan1'"
check "static-group add lan1 239.12.12.12 10.0.0.5: forwarded at once" "wan lan1" "$(kmfc 10.0.0.5 239.12.12.12)"
check "show routes lists both static groups, file and runtime" "lan2 239.11.11.11 static|lan1 239.12.12.12 runtime" \
	"$(ctl mcastd show routes | awk '/^Static groups/ { g = 1; next } g { print $1, $2, $5 }' | tr '\n' '|' | sed 's/|$//')"
check "show groups says static" "2" "$(ctl mcastd show groups | grep -c ' static')"
check "route add with a bad source: named" "mcastctl: bad source 224.1.1.1 (a unicast address)" \
	"$(ctl mcastd route add wan 224.1.1.1 239.13.13.13 lan1 2>&1)"
check "route add with the incoming interface as output: named" \
	"mcastctl: wan is the incoming interface and cannot be an output" "$(ctl mcastd route add wan 239.13.13.13 wan 2>&1)"
ctl mcastd route add wan 10.0.0.6 239.13.13.13 lan1 lan2 >/dev/null
check "route add wan 10.0.0.6 239.13.13.13 lan1 lan2: in the kernel at once" "wan lan1 lan2" \
	"$(kmfc 10.0.0.6 239.13.13.13)"
check "a second route add for the same (S,G): refused, named" \
	"mcastctl: a route for (10.0.0.6, 239.13.13.13) exists (added at run time)" "$(ctl mcastd route add wan 10.0.0.6 239.13.13.13 lan1 2>&1)"
kill -HUP "$(cat "$TMP/mcastd.pid")"
wait_for 5 sh -c "grep -q 'reload' $TMP/mcastd.log"
sleep 0.3
check "runtime route and static group kept across SIGHUP" "2" \
	"$(ctl mcastd show routes | grep -c runtime)"
ctl mcastd route del wan 10.0.0.6 239.13.13.13 >/dev/null
ctl mcastd static-group del lan1 239.12.12.12 10.0.0.5 >/dev/null
check "route del: gone from the kernel" "" "$(kmfc 10.0.0.6 239.13.13.13)"
check "static-group del of the file's group: refused, named" \
	"mcastctl: static group 239.11.11.11 on lan2 is in the configuration file: remove it there and reload" \
	"$(ctl mcastd static-group del lan2 239.11.11.11 2>&1)"

echo "== SIGHUP keeps the flows the new file keeps"
recv_start h1 "$NS_H1" join 239.6.6.6 recv 5000
sleep 0.5
send 239.6.6.6 10.0.0.5 100 30 &
sp=$!
sleep 1
printf '%s\nroute from wan group 239.77.0.1 to lan2\n' "$CONF" >"$TMP/mcastd.conf"
kill -HUP "$(cat "$TMP/mcastd.pid")"
wait "$sp"
recv_wait h1
check "h1 got all 100 across the reload" "10.0.0.5 239.6.6.6 100" "$(got h1)"
check "new static route in the kernel" "1" \
	"$(in_ns "$NS_RTR" awk '$1 == "01004DEF" && $2 == "00000000"' /proc/net/ip_mr_cache | wc -l)"
echo "bad line" >>"$TMP/mcastd.conf"
check "a bad file is refused" "1" "$(ctl mcastd reload 2>/dev/null; echo $?)"
check "and the old one runs on" "1" \
	"$(in_ns "$NS_RTR" awk '$1 == "01004DEF"' /proc/net/ip_mr_cache | wc -l)"
printf '%s\nroute from wan group 239.77.0.1 to lan2\n' "$CONF" >"$TMP/mcastd.conf"

echo "== kill -9 leaves nothing in the kernel; a restart relearns"
recv_start h1 "$NS_H1" join 239.7.7.7 recv 8000
sleep 0.5
kill -9 "$(cat "$TMP/mcastd.pid")"
sleep 0.3
check "no VIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip_mr_vif | wc -l)"
check "no entry left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip_mr_cache | wc -l)"
check "no IPv6 MIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip6_mr_vif | wc -l)"
rm -f "$TMP/mcastd.sock"
start_mcastd "$NS_RTR" "$CONF" || exit 1
# h1 answers the startup query within the 2 s response time
sleep 3
send 239.7.7.7 10.0.0.5 5 20
recv_wait h1
check "h1 receives after the restart" "10.0.0.5 239.7.7.7 5" "$(got h1)"

echo "== SIGTERM leaves nothing in the kernel"
kill -TERM "$(cat "$TMP/mcastd.pid")"
wait "$(cat "$TMP/mcastd.pid")" 2>/dev/null
check "no VIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip_mr_vif | wc -l)"
check "no IPv6 MIF left" "0" "$(in_ns "$NS_RTR" tail -n +2 /proc/net/ip6_mr_vif | wc -l)"
check "control socket removed" "no" "$([ -e "$TMP/mcastd.sock" ] && echo yes || echo no)"

echo "== querier election against a second mcastd"
querier_pair
start_mcastd "$NS_Q2" "$QCONF" q2 || exit 1
start_mcastd "$NS_Q1" "$QCONF" q1 || exit 1
sleep 1.5
check "q2 sees q1 (lower address) as querier" "10.9.0.1" \
	"$(ctl q2 --json show interfaces | tail -n +1 | grep -o '"querier_address":"[^"]*"' | cut -d'"' -f4)"
check "q1 is querier" "us" "$(ctl q1 show interfaces | awk '$1 == "lan" { print $6 }')"
kill -TERM "$(cat "$TMP/q1.pid")"
# Other Querier Present Interval: 2 x 2 s + 1 s / 2 = 4.5 s
sleep 5.5
check "q2 took over" "us" "$(ctl q2 show interfaces | awk '$1 == "lan" { print $6 }')"

echo "netns: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
