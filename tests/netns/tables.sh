#!/bin/sh
# Kernel multicast routing tables (mcastd.conf "table N", MRT_TABLE):
# two mcastd side by side in one router namespace, each with a table of
# its own and the policy rules that send its interfaces' traffic there,
# each a proxy for its own LAN. The same sender reaches both upstreams
# with the same (S,G): one table would hold one entry for it with one
# input interface (the other copy a WRONGVIF); two tables forward both.
#   snd eth0 --[wan]--  rtr: mcastd "a" (table 10): proxy wan -> lan1 -- h1
#   snd eth1 --[wan2]-- rtr: mcastd "b" (table 20): proxy wan2 -> lan2 -- h2
# Then one mcastd on the same links, proxy a in its own table (the
# default) and proxy b in table 20 ("proxy ... table 20"): the same two
# copies forwarded, IPv4 and IPv6; an IGMPv1 report without Router
# Alert heard in table 20; a second mcastd wanting table 20 refused.
#   tests/netns/tables.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh

need_root tables

topology
link "$NS_SND" eth1 "$NS_RTR" wan2
in_ns "$NS_SND" ip addr add 10.0.0.5/24 dev eth1
in_ns "$NS_RTR" ip addr add 10.0.9.1/24 dev wan2
in_ns "$NS_RTR" ip addr add 2001:db8:9::1/64 dev wan2 nodad
ll_wait "$NS_RTR" "$NS_SND"

A="table 10
interface wan
interface lan1 query-interval 10s query-response 2s
proxy a upstream wan downstream lan1"
B="table 20
interface wan2
interface lan2 query-interval 10s query-response 2s
proxy b upstream wan2 downstream lan2"
start_mcastd "$NS_RTR" "$A" a || exit 1
start_mcastd "$NS_RTR" "$B" b || exit 1

rules() { in_ns "$NS_RTR" ip "$@" mrule show | awk '/lookup (10|20)/ { for (i = 1; i <= NF; i++) if ($i == "iif") print $(i + 1), $NF }' | sort | tr '\n' ' '; }
echo "== each mcastd sets the policy rules of its table"
check "IPv4 rules" "lan1 10 lan2 20 wan 10 wan2 20 " "$(rules)"
check "IPv6 rules" "lan1 10 lan2 20 wan 10 wan2 20 " "$(rules -6)"

# both GROUP SOURCE WAIT...: h1 and h2 join GROUP; once WAIT holds
# (their joins heard), the sender sends 20 datagrams from SOURCE out of
# each of its links at once; then both receivers are done.
both() {
	g=$1 s=$2
	shift 2
	recv_start h1 "$NS_H1" join "$g" recv 4000
	recv_start h2 "$NS_H2" join "$g" recv 4000
	wait_for 10 "$@"
	in_ns "$NS_SND" "$BIN/mcjoin" -i eth1 -p "$PORT" send "$g" "$s" 20 20 &
	sp=$!
	send "$g" "$s" 20 20
	wait "$sp"
	recv_wait h1 h2
}
joined() { for n in "$@"; do "$BIN/mcastctl" -S "$TMP/$n.sock" show groups | grep -q "$G" || return 1; done; }

echo "== one source, one group, both upstreams: each instance forwards its copy"
G=239.8.8.8
both 239.8.8.8 10.0.0.5 joined a b
check "h1 got the copy from wan (table 10)" "10.0.0.5 239.8.8.8 20" "$(got h1)"
check "h2 got the copy from wan2 (table 20)" "10.0.0.5 239.8.8.8 20" "$(got h2)"
mroute() { in_ns "$NS_RTR" ip mroute show table "$1" | awk '$1 == "(10.0.0.5,239.8.8.8)" { print $1, $3, $5 }'; }
check "table 10: (10.0.0.5, 239.8.8.8) from wan to lan1" "(10.0.0.5,239.8.8.8) wan lan1" "$(mroute 10)"
check "table 20: (10.0.0.5, 239.8.8.8) from wan2 to lan2" "(10.0.0.5,239.8.8.8) wan2 lan2" "$(mroute 20)"
check "the default table has no entry" "" "$(in_ns "$NS_RTR" ip mroute show | grep 239.8.8.8)"
check "mcastctl show kernel (a): its entry installed" "installed" \
	"$(ctl a show kernel | awk '$1 == "(10.0.0.5," { print $3 }')"
check "mcastctl show vifs (b): its IPv4 VIFs, lan2 with the packets it sent" "lan2 yes|wan2 no" \
	"$(ctl b show vifs | awk '/^IPv4/ { v4 = 1 } /^IPv6/ { v4 = 0 } v4 && $2 ~ /^(lan2|wan2)$/ { print $2, ($(NF-1) > 0 ? "yes" : "no") }' | sort | tr '\n' '|' | sed 's/|$//')"
check "an audit (a) finds nothing to repair" "0 0" \
	"$(ctl a audit >/dev/null; ctl a --json show stats | jq -r '.tables[0] | "\(.vif_drift) \(.drift_added + .drift_removed + .drift_changed)"')"

echo "== a kill -9 leaves its rules; the next start takes them over, no duplicate"
kill -KILL "$(cat "$TMP/a.pid")"
sleep 0.3
check "the rules stay after kill -9" "lan1 10 lan2 20 wan 10 wan2 20 " "$(rules)"
start_mcastd "$NS_RTR" "$A" a || exit 1
check "one rule per interface again" "lan1 10 lan2 20 wan 10 wan2 20 " "$(rules)"

echo "== a reload cannot change the table"
printf '%s\n' "table 30
interface wan
interface lan1
proxy a upstream wan downstream lan1" >"$TMP/a.conf"
ctl a reload >/dev/null 2>&1
check "the running table stays" "lan1 10 wan 10 " "$(rules | tr ' ' '\n' | paste -d' ' - - | grep ' 10$' | tr '\n' ' ')"
check "and the log says why" "1" "$(grep -c 'the table cannot change while mcastd runs' "$TMP/a.log")"

echo "== stopping removes the rules and the entries"
for n in a b; do
	kill -TERM "$(cat "$TMP/$n.pid")"
done
wait_for 5 sh -c "! kill -0 $(cat "$TMP/a.pid") 2>/dev/null && ! kill -0 $(cat "$TMP/b.pid") 2>/dev/null"
check "no rule left" "" "$(rules)$(rules -6)"
check "no entry left in tables 10 and 20" "" "$(in_ns "$NS_RTR" ip mroute show table 10)$(in_ns "$NS_RTR" ip mroute show table 20)"

echo "== one mcastd, two proxies: a in mcastd's table (the default), b in a table of its own"
C="interface wan
interface wan2
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s
proxy a upstream wan downstream lan1
proxy b upstream wan2 table 20 downstream lan2"
# (with the fault shim of tests/faults, to drop a kernel call later)
FAULTS="$TMP/faults"
: >"$FAULTS"
LIB=${LIB:-$(dirname "$BIN")/lib}
MCASTD_ENV="LD_PRELOAD=$PWD/$LIB/libmcast_faultshim.so MCAST_FAULT_FILE=$FAULTS" \
	start_mcastd "$NS_RTR" "$C" one || exit 1
check "only table 20 has rules: IPv4" "lan2 20 wan2 20 " "$(rules)"
check "only table 20 has rules: IPv6" "lan2 20 wan2 20 " "$(rules -6)"
check "show interfaces: lan2 and wan2 in table 20, lan1 and wan in 253" "lan1 253|lan2 20|wan 253|wan2 20" \
	"$(ctl one --json show interfaces | jq -r '.[] | select(.family == "ipv4") | "\(.name) \(.table)"' | sort | tr '\n' '|' | sed 's/|$//')"
joined2() { [ "$(ctl one show groups | grep -c "$G")" = 2 ]; }
G=239.8.8.8
both 239.8.8.8 10.0.0.5 joined2
check "h1 got the copy from wan (mcastd's table)" "10.0.0.5 239.8.8.8 20" "$(got h1)"
check "h2 got the copy from wan2 (table 20)" "10.0.0.5 239.8.8.8 20" "$(got h2)"
dmroute() { in_ns "$NS_RTR" ip mroute show | awk '$1 == "(10.0.0.5,239.8.8.8)" { print $1, $3, $5 }'; }
check "the default table: (10.0.0.5, 239.8.8.8) from wan to lan1" "(10.0.0.5,239.8.8.8) wan lan1" "$(dmroute)"
check "table 20: (10.0.0.5, 239.8.8.8) from wan2 to lan2" "(10.0.0.5,239.8.8.8) wan2 lan2" "$(mroute 20)"
check "show mfc: the entry in each table, each from its upstream" "253 wan lan1|20 wan2 lan2" \
	"$(ctl one show mfc | awk '/forwarding entries \(table/ { t = $5 + 0 } $1 == "(10.0.0.5," && $2 == "239.8.8.8)" { print t, $3, $4 }' | tr '\n' '|' | sed 's/|$//')"
check "show kernel: installed in both" "installed installed" \
	"$(ctl one --json show kernel | jq -r '[.ipv4, .tables[0].ipv4][] | .entries[] | select(.source == "10.0.0.5") | .state' | tr '\n' ' ' | sed 's/ $//')"
check "explain on lan2: table 20, forwarded there" "20 lan2 forwarded" \
	"$(ctl one --json explain 10.0.0.5 239.8.8.8 lan2 | jq -r '"\(.table) \(.interfaces[] | select(.name == "lan2") | "\(.name) \(if .forwarded then "forwarded" else "not" end)")"')"
check "explain without an interface: the first table with the entry (mcastd's)" "253 wan" \
	"$(ctl one --json explain 10.0.0.5 239.8.8.8 | jq -r '"\(.table) \(.input)"')"
check "show stats: one section per kernel table, table 20 with its entry" "253 1|20 1" \
	"$(ctl one --json show stats | jq -r '.kernel_tables[] | select(.family == "ipv4") | "\(.table) \(.mfc_entries)"' | tr '\n' '|' | sed 's/|$//')"
check "metrics: each (S,G) sample names its table" "253 wan|20 wan2" \
	"$(ctl one metrics | awk -F'[{}]' '/^mcast_mfc_packets_total/ && /source="10.0.0.5"/ { print $2 }' | sed 's/.*table="\([0-9]*\)",input="\([a-z0-9]*\)".*/\1 \2/' | sort -r | tr '\n' '|' | sed 's/|$//')"

echo "== the same for IPv6: one source, both upstreams, each table forwards its copy"
G=ff0e::8:8
both ff0e::8:8 2001:db8::5 joined2
check "h1 got the IPv6 copy from wan (mcastd's table)" "2001:db8::5 ff0e::8:8 20" "$(got h1)"
check "h2 got the IPv6 copy from wan2 (table 20)" "2001:db8::5 ff0e::8:8 20" "$(got h2)"
check "show kernel: IPv6 installed in both (the default IPv6 table is read as 254)" "installed installed" \
	"$(ctl one --json show kernel | jq -r '[.ipv6, .tables[0].ipv6][] | .entries[] | select(.source == "2001:db8::5") | .state' | tr '\n' ' ' | sed 's/ $//')"
# (the kernel's default IPv6 table is 254, RT6_TABLE_DFLT; IPv4's 253)
check "ip -6 mroute: the default table from wan, table 20 from wan2" "wan lan1|wan2 lan2" \
	"$( (in_ns "$NS_RTR" ip -6 mroute show table 254; in_ns "$NS_RTR" ip -6 mroute show table 20) | awk '$1 == "(2001:db8::5,ff0e::8:8)" { print $3, $5 }' | tr '\n' '|' | sed 's/|$//')"
echo "== an IGMPv1 report without router alert (old hosts; Linux always adds one) on lan2"
# The kernel gives it to table 20's socket only (ip_mr_input: no router
# alert, a group the router has not joined); every other IGMP message
# reaches mcastd's own socket too, and is left to the table of its link.
in_ns "$NS_H2" /usr/bin/python3 -c '
import socket, struct
g = socket.inet_aton("239.8.8.10")
s = sum(struct.unpack("!4H", struct.pack("!BBH", 0x12, 0, 0) + g))
s = (s & 0xffff) + (s >> 16)
msg = struct.pack("!BBH", 0x12, 0, ~s & 0xffff) + g
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
r.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
r.sendto(msg, ("239.8.8.10", 0))
'
v1group() { ctl one --json show groups | jq -r '.ipv4.interfaces[] | select(.name == "lan2") | .groups[] | select(.group == "239.8.8.10") | .compat_version'; }
wait_for 5 sh -c "[ \"\$($BIN/mcastctl -S $TMP/one.sock --json show groups | jq -r '.ipv4.interfaces[] | select(.name == \"lan2\") | .groups[] | select(.group == \"239.8.8.10\") | .group')\" = 239.8.8.10 ]"
check "lan2 heard 239.8.8.10 from the IGMPv1 report" "1" "$(v1group)"
check "copies of lan2's other reports on mcastd's own socket were left to table 20's" "yes" \
	"$(ctl one --json show stats | jq -r 'if (.tables[] | select(.family == "ipv4") | .other_table_copies) > 0 then "yes" else "no" end')"

echo "== an entry of table 20 the kernel silently lost is found by the audit of table 20"
printf '%s\n' "add_mfc drop 1" >"$FAULTS.new" && mv "$FAULTS.new" "$FAULTS"
recv_start h2 "$NS_H2" join 239.8.8.11 recv 6000
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/one.sock show groups | grep -q 239.8.8.11"
in_ns "$NS_SND" "$BIN/mcjoin" -i eth1 -p "$PORT" send 239.8.8.11 10.0.0.5 3 20
state11() { ctl one --json show kernel | jq -r '.tables[0].ipv4.entries[] | select(.group == "239.8.8.11") | .state'; }
wait_for 5 sh -c "[ \"\$($BIN/mcastctl -S $TMP/one.sock --json show kernel | jq -r '.tables[0].ipv4.entries[] | select(.group == \"239.8.8.11\") | .state')\" = missing ]"
check "show kernel: missing in table 20" "missing" "$(state11)"
check "the shim dropped it" "1" "$(grep -c 'faultshim: add_mfc dropped' "$TMP/one.log")"
check "mcastctl audit" "0" "$(ctl one audit >/dev/null; echo $?)"
check "installed now, counted as table 20's drift" "installed 1" \
	"$(state11) $(ctl one --json show stats | jq '.kernel_tables[] | select(.family == "ipv4" and .table == 20) | .drift_added')"
in_ns "$NS_SND" "$BIN/mcjoin" -i eth1 -p "$PORT" send 239.8.8.11 10.0.0.5 10 20
recv_wait h2
check "h2 receives" "yes" "$(got h2 | awk '$1 == "10.0.0.5" && $3 >= 10 { print "yes" }')"

echo "== a reload moves proxy b into mcastd's table, and back into table 20"
ifs_tables() { ctl one --json show interfaces | jq -r '.[] | select(.family == "ipv4" and (.name == "lan2" or .name == "wan2")) | "\(.name) \(.table)"' | sort | tr '\n' '|' | sed 's/|$//'; }
printf '%s\n' "$C" | sed 's/ table 20//' >"$TMP/one.conf"
check "reload without table 20" "0" "$(ctl one reload >/dev/null; echo $?)"
check "table 20's rules are gone" "" "$(rules)$(rules -6)"
check "lan2 and wan2 are in mcastd's table" "lan2 253|wan2 253" "$(ifs_tables)"
recv_start h2 "$NS_H2" join 239.8.8.12 recv 4000
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/one.sock show groups | grep -q 239.8.8.12"
in_ns "$NS_SND" "$BIN/mcjoin" -i eth1 -p "$PORT" send 239.8.8.12 10.0.0.5 10 20
recv_wait h2
check "h2 receives through the default table" "10.0.0.5 239.8.8.12 10" "$(got h2)"
check "the default table's entry: from wan2 to lan2" "wan2 lan2" \
	"$(in_ns "$NS_RTR" ip mroute show | awk '$1 == "(10.0.0.5,239.8.8.12)" { print $3, $5 }')"
printf '%s\n' "$C" >"$TMP/one.conf"
check "reload with table 20 again (it is still open)" "0" "$(ctl one reload >/dev/null; echo $?)"
check "table 20's rules are back" "lan2 20 wan2 20 " "$(rules)"
check "lan2 and wan2 are in table 20 again" "lan2 20|wan2 20" "$(ifs_tables)"

echo "== a reload cannot open a new table, and the audit finds nothing more to repair"
printf '%s\n' "$C" | sed 's/table 20/table 30/' >"$TMP/one.conf"
ctl one reload >/dev/null 2>&1
check "the log says why" "1" "$(grep -c 'reload: table 30 is new' "$TMP/one.log")"
check "table 20's rules stay" "lan2 20 wan2 20 " "$(rules)"
check "an audit repairs nothing else in either table (VIF, added, removed, changed)" "ipv4 253 0 0 0 0|ipv6 253 0 0 0 0|ipv4 20 0 1 0 0|ipv6 20 0 0 0 0" \
	"$(ctl one audit >/dev/null; ctl one --json show stats | jq -r '.kernel_tables[] | "\(.family) \(.table) \(.vif_drift) \(.drift_added) \(.drift_removed) \(.drift_changed)"' | tr '\n' '|' | sed 's/|$//')"
echo "== a second mcastd whose proxy names table 20 (held by the first) refuses to start, leaving nothing"
printf '%s\n' "table 30
interface wan
interface lan1
proxy x upstream wan table 20 downstream lan1" >"$TMP/two.conf"
in_ns "$NS_RTR" "$BIN/mcastd" -n -u root -f "$TMP/two.conf" -S "$TMP/two.sock" >"$TMP/two.log" 2>&1
check "it exits 1" "1" "$?"
check "naming the table and why" "1" "$(grep -c 'table 20: taking the kernel.s multicast routing table (another multicast router runs)' "$TMP/two.log")"
check "table 30 (opened first, closed again) has no rule" "" \
	"$(rules | grep -w 30)$(in_ns "$NS_RTR" ip mrule show | grep -w 'lookup 30')"
check "the first mcastd still answers, its tables intact" "lan2 20 wan2 20 " "$(ctl one show interfaces >/dev/null && rules)"
kill -TERM "$(cat "$TMP/one.pid")"
wait_for 5 sh -c "! kill -0 $(cat "$TMP/one.pid") 2>/dev/null"
check "stopped: no rule left" "" "$(rules)$(rules -6)"
check "stopped: no entry left in either table" "" "$(in_ns "$NS_RTR" ip mroute show table 20)$(dmroute)"

echo "tables: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
