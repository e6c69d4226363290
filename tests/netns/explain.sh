#!/bin/sh
# mcastctl explain: why a stream is or is not forwarded, on real hosts.
# rtr is a proxy (upstream wan, downstreams lan1 and lan2); lan1 has an
# access rule, and h2 runs a router of its own on lan2 with a lower
# address, so it is the querier there.
#   snd -- prov --[wan]-- rtr --[lan1]-- h1
#                             --[lan2]-- h2 (querier)
#   tests/netns/explain.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh
need_root explain

proxy_topology
# rtr's lan2 address above h2's: h2 wins the querier election
in_ns "$NS_RTR" ip addr del 10.0.2.1/24 dev lan2
in_ns "$NS_RTR" ip addr add 10.0.2.50/24 dev lan2
start_mcastd "$NS_PROV" "interface core
interface wan" prov || exit 1
start_mcastd "$NS_H2" "interface eth0 mld off query-interval 5s query-response 1s" h2 || exit 1
start_mcastd "$NS_RTR" "interface wan
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 5s query-response 1s
deny lan1 239.5.6.0/24
proxy tv upstream wan downstream lan1 lan2" || exit 1

ip netns exec "$NS_H1" "$BIN/mcjoin" -i eth0 join 239.5.5.5 block 239.5.5.5 10.0.0.6 join 239.5.6.6 sleep 60000 >/dev/null 2>&1 &
ip netns exec "$NS_H2" "$BIN/mcjoin" -i eth0 join 239.5.5.5 sleep 60000 >/dev/null 2>&1 &
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock show groups | grep -A3 '^lan1 IGMP' | grep -q 239.5.5.5"
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock show interfaces | awk '\$1 == \"lan2\" && \$4 == \"IGMP\" { print \$6 }' | grep -q 10.0.2.10"
send 239.5.5.5 10.0.0.5 3 20
send 239.5.5.5 10.0.0.6 3 20
wait_for 5 sh -c "ip netns exec $NS_RTR ip mroute show | grep -q '10.0.0.6,239.5.5.5'"

# why IFACE S G: explain's verdict and reason for one interface (JSON)
why() { ctl mcastd --json explain "$2" "$3" "$1" | jq -r --arg n "$1" '.interfaces[] | select(.name == $n) | "\(.why) \(.forwarded)"'; }

echo "== forwarded"
check "lan1 gets (10.0.0.5, 239.5.5.5): members, in the entry" "members true" "$(why lan1 10.0.0.5 239.5.5.5)"
check "the text says so" "  lan1            forwarded: members; EXCLUDE mode" \
	"$(ctl mcastd explain 10.0.0.5 239.5.5.5 lan1 | grep '^  lan1' | cut -c1-50)"
check "the input is the proxy's upstream, the kernel has the entry" "wan true" \
	"$(ctl mcastd --json explain 10.0.0.5 239.5.5.5 | jq -r '"\(.input) \(.kernel)"')"
echo "== an EXCLUDE list"
check "lan1 not (10.0.0.6, 239.5.5.5): source not wanted" "source not wanted false" "$(why lan1 10.0.0.6 239.5.5.5)"
check "the text: EXCLUDE mode, source excluded" "yes" \
	"$(ctl mcastd explain 10.0.0.6 239.5.5.5 lan1 | grep -q 'not forwarded: source not wanted; EXCLUDE mode, group timer [0-9.]*s, source excluded' && echo yes)"
echo "== an access list"
check "lan1 not 239.5.6.6 (denied): no listener, access_denied" "no listener false true" \
	"$(ctl mcastd --json explain 10.0.0.5 239.5.6.6 lan1 | jq -r '.interfaces[0] | "\(.why) \(.forwarded) \(.access_denied)"')"
check "the text names the access list" "yes" \
	"$(ctl mcastd explain 10.0.0.5 239.5.6.6 lan1 | grep -q 'note: the access list denies (10.0.0.5, 239.5.6.6) here' && echo yes)"
echo "== a missing member"
check "239.5.5.9 on lan1: no listener" "no listener false" "$(why lan1 10.0.0.5 239.5.5.9)"
echo "== another querier on a proxy downstream"
check "lan2 not (10.0.0.5, 239.5.5.5): not the querier" "not the querier false" "$(why lan2 10.0.0.5 239.5.5.5)"
check "the text names the querier" "yes" \
	"$(ctl mcastd explain 10.0.0.5 239.5.5.5 lan2 | grep -q 'not forwarded: not the querier.*querier 10.0.2.10' && echo yes)"
check "and the kernel agrees: (10.0.0.5, 239.5.5.5) goes to lan1 only" "lan1" \
	"$(in_ns "$NS_RTR" ip mroute show | awk '$1 == "(10.0.0.5,239.5.5.5)" { print $5 }')"
echo "== bad requests"
check "a bad address: named" "mcastctl: usage: explain SOURCE GROUP [IFACE] (a unicast source and a group of one family)" \
	"$(ctl mcastd explain 10.0.0.5 2001:db8::1 2>&1)"
check "an unknown interface: named" "mcastctl: no interface lan9 in the configuration" \
	"$(ctl mcastd explain 10.0.0.5 239.5.5.5 lan9 2>&1)"

echo "explain: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
