#!/bin/sh
# Kernel multicast routing tables (mcastd.conf "table N", MRT_TABLE):
# two mcastd side by side in one router namespace, each with a table of
# its own and the policy rules that send its interfaces' traffic there,
# each a proxy for its own LAN. The same sender reaches both upstreams
# with the same (S,G): one table would hold one entry for it with one
# input interface (the other copy a WRONGVIF); two tables forward both.
#   snd eth0 --[wan]--  rtr: mcastd "a" (table 10): proxy wan -> lan1 -- h1
#   snd eth1 --[wan2]-- rtr: mcastd "b" (table 20): proxy wan2 -> lan2 -- h2
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

echo "== one source, one group, both upstreams: each instance forwards its copy"
recv_start h1 "$NS_H1" join 239.8.8.8 recv 4000
recv_start h2 "$NS_H2" join 239.8.8.8 recv 4000
sleep 1
in_ns "$NS_SND" "$BIN/mcjoin" -i eth1 -p "$PORT" send 239.8.8.8 10.0.0.5 20 20 &
sp=$!
send 239.8.8.8 10.0.0.5 20 20
wait "$sp"
recv_wait h1 h2
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

echo "tables: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
