#!/bin/sh
# mcastd as an IGMP/MLD proxy (RFC 4605) between a provider and two LANs
# of real Linux hosts (run as root by make check). The IGMP provider is
# FRR's pimd (Debian's frr package: a router none of us wrote; its
# `show ip igmp sources` is the provider's view); the MLD provider is a
# second mcastd (Debian's FRR has no MLD).
#
# The topology is lib.sh's proxy_topology; on the provider FRR's zebra
# and pimd (IGMPv3 on wan, itself the RP) and mcastd (MLD only).
#
#   tests/netns/proxy.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh

need_root proxy
FRR=/usr/lib/frr
if [ ! -x "$FRR/pimd" ] || ! command -v vtysh >/dev/null; then
	echo "proxy: FRR is not installed (scripts/install-deps installs frr)" >&2
	exit 1
fi

# FRR's zebra and pimd inside the provider namespace, with their sockets
# and files in this run's directory (and -N, a path space of our own).
FRRDIR="$TMP/frr"
frr_start() {
	chmod 711 "$TMP" # FRR drops to its own user: it must reach its directory
	mkdir -p "$FRRDIR"
	cat >"$FRRDIR/frr.conf" <<-EOF
	hostname prov
	ip pim rp 10.0.0.1 224.0.0.0/4
	interface core
	 ip pim
	!
	interface wan
	 ip pim
	 ip igmp
	 ip igmp version 3
	 ip igmp query-interval 10
	 ip igmp query-max-response-time 20
	!
	EOF
	chown -R frr:frr "$FRRDIR"
	for dmn in zebra pimd; do
		in_ns "$NS_PROV" "$FRR/$dmn" -d -N "$ID" -f "$FRRDIR/frr.conf" -i "$FRRDIR/$dmn.pid" \
			--vty_socket "$FRRDIR" -z "$FRRDIR/zserv.api" --log "file:$FRRDIR/$dmn.log" \
			>>"$TMP/frr.log" 2>&1 || return 1
		for i in $(seq 50); do
			[ -S "$FRRDIR/$dmn.vty" ] && break
			sleep 0.1
		done
	done
	[ -S "$FRRDIR/pimd.vty" ]
}
vty() { vtysh --vty_socket "$FRRDIR" "$@" 2>&1; }
frr_stop() {
	for dmn in pimd zebra; do
		[ -f "$FRRDIR/$dmn.pid" ] && kill "$(cat "$FRRDIR/$dmn.pid")" 2>/dev/null
		cp "$FRRDIR/$dmn.log" "$TMP/frr-$dmn.log" 2>/dev/null
	done
	rm -rf "/var/run/frr/$ID"
}
trap 'frr_stop; cleanup' EXIT

# The provider's view of group G on its wan: "G MODE" from `show ip igmp
# groups` and "G SOURCE included|excluded" from `show ip igmp sources`
# (an excluded source has no timer; FRR's any-source entry "*" of EXCLUDE
# mode is left out), sorted.
frr_view() {
	{
		vty -c "show ip igmp groups" | awk -v g="$1" '$1 == "wan" && $2 == g { print $2, $3 }'
		vty -c "show ip igmp sources" |
			awk -v g="$1" '$1 == "wan" && $2 == g && $3 != "*" { print $2, $3, ($4 == "--:--" ? "excluded" : "included") }'
	} | sort
}
# waits up to 10 s for the provider's view of $1 to read $2
frr_wait() {
	for i in $(seq 50); do
		[ "$(frr_view "$1")" = "$2" ] && break
		sleep 0.2
	done
	frr_view "$1"
}

proxy_topology
frr_start || { echo "proxy: FRR did not start:"; cat "$TMP"/frr.log "$FRRDIR"/*.log; exit 1; }
start_mcastd "$NS_PROV" "interface core igmp off
interface wan igmp off query-interval 5s query-response 2s" prov || exit 1
start_mcastd "$NS_RTR" "interface wan
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s lmqi 200ms
proxy tv upstream wan downstream lan1 lan2" || exit 1
sleep 0.5

echo "== what mcastctl says of the proxy: its name, the upstream, the provider's querier"
for i in $(seq 50); do
	ctl mcastd show proxy | grep -q "querier 10.1.0.1" && break
	sleep 0.2
done
check "show proxy: the instance by name, the upstream's address, the provider's querier" \
	"proxy tv upstream wan IGMPv3 address 10.1.0.2 querier 10.1.0.1" "$(ctl mcastd show proxy | grep '^proxy' | head -1)"
check "show proxy --json: name and querier" "tv 1 10.1.0.1" \
	"$(ctl mcastd --json show proxy | jq -r '.ipv4.proxies[0] | "\(.name) \(.domain) \(.querier)"')"
check "show interfaces: the upstream's address and the provider's querier" "wan IGMP 10.1.0.2 10.1.0.1 (proxy upstream)" \
	"$(ctl mcastd show interfaces | awk '$1 == "wan" && $4 == "IGMP" { print $1, $4, $5, $6, $(NF-1), $NF }')"

echo "== IGMPv3, ASM: INCLUDE on lan1, EXCLUDE on lan2"
recv_start h1 "$NS_H1" sjoin 239.1.1.1 10.0.0.5 sleep 3000
recv_start h2 "$NS_H2" join 239.1.1.1 block 239.1.1.1 10.0.0.6 sleep 3000
# lan1 INCLUDE {5} + lan2 EXCLUDE {6} = EXCLUDE {6}
V="239.1.1.1 10.0.0.6 excluded
239.1.1.1 EXCL"
check "FRR sees the merge: EXCLUDE {10.0.0.6}" "$V" "$(frr_wait 239.1.1.1 "$V")"
check "mcastd's own view of what it reports" "239.1.1.1 EXCLUDE {10.0.0.6}" \
	"$(ctl mcastd show proxy | awk '/^  239.1.1.1/ { print $1, $2, $3 }')"
# (pimd 8.4 does not forward an ASM group whose EXCLUDE list is not
# empty, so the data of this case is checked with SSM below and with the
# MLD provider, which does)
recv_wait h1 h2

echo "== IGMPv3, SSM: one source per LAN, both reported"
recv_start h1 "$NS_H1" sjoin 232.1.1.1 10.0.0.5 recv 5000
recv_start h2 "$NS_H2" sjoin 232.1.1.1 10.0.0.6 recv 5000
V="232.1.1.1 10.0.0.5 included
232.1.1.1 10.0.0.6 included
232.1.1.1 INCL"
check "FRR sees INCLUDE {10.0.0.5, 10.0.0.6}" "$V" "$(frr_wait 232.1.1.1 "$V")"
sleep 1
send_both 232.1.1.1 10.0.0.5 10.0.0.6 20 50
recv_wait h1 h2
check "h1 got its source" "10.0.0.5 232.1.1.1 20" "$(got h1)"
check "h2 got its source" "10.0.0.6 232.1.1.1 20" "$(got h2)"
echo "== a downstream host leaves: the merge is the other LAN's"
recv_start h1 "$NS_H1" sjoin 232.1.1.1 10.0.0.5 sleep 4000
recv_start h2 "$NS_H2" sjoin 232.1.1.1 10.0.0.6 sleep 500 sleave 232.1.1.1 10.0.0.6 sleep 100
recv_wait h2
V="232.1.1.1 10.0.0.5 included
232.1.1.1 INCL"
check "FRR sees lan1's INCLUDE {10.0.0.5} alone" "$V" "$(frr_wait 232.1.1.1 "$V")"
recv_wait h1

echo "== an IGMPv2 listener on lan2: EXCLUDE {} upstream"
in_ns "$NS_H2" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=2
recv_start h2 "$NS_H2" join 239.2.2.2 recv 5000
check "FRR sees 239.2.2.2 from any source" "239.2.2.2 EXCL" "$(frr_wait 239.2.2.2 "239.2.2.2 EXCL")"
sleep 1
send_both 239.2.2.2 10.0.0.5 10.0.0.6 20 50
recv_wait h2
check "h2 (IGMPv2) got both" "10.0.0.5 239.2.2.2 20
10.0.0.6 239.2.2.2 20" "$(got h2)"
in_ns "$NS_H2" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=0

echo "== the upstream goes down and comes back: membership reported again"
recv_start h1 "$NS_H1" sjoin 232.4.4.4 10.0.0.5 sleep 8000
V="232.4.4.4 10.0.0.5 included
232.4.4.4 INCL"
check "FRR sees 232.4.4.4" "$V" "$(frr_wait 232.4.4.4 "$V")"
in_ns "$NS_RTR" ip link set wan down
sleep 1
check "FRR forgot it with the link" "" "$(frr_view 232.4.4.4)"
in_ns "$NS_RTR" ip link set wan up
check "FRR learnt it again" "$V" "$(frr_wait 232.4.4.4 "$V")"
recv_wait h1

echo "== MLDv2 through the proxy (the provider is a second mcastd)"
recv_start h1 "$NS_H1" sjoin ff0e::1:1 2001:db8::5 recv 6000
recv_start h2 "$NS_H2" join ff0e::1:1 block ff0e::1:1 2001:db8::6 recv 6000
# the provider's state for the wan: lan1 INCLUDE {5} + lan2 EXCLUDE {6}
prov_view() {
	ctl prov --json show groups | jq -r '.ipv6.interfaces[] | select(.name == "wan") | .groups[]
		| select(.group == "ff0e::1:1") | [.filter_mode, ([.sources[] | select(.forwarding | not) | .address] | join(","))] | join(" ")'
}
for i in $(seq 50); do
	[ "$(prov_view)" = "exclude 2001:db8::6" ] && break
	sleep 0.2
done
check "the provider sees EXCLUDE {2001:db8::6}" "exclude 2001:db8::6" "$(prov_view)"
sleep 0.5
send_both ff0e::1:1 2001:db8::5 2001:db8::6 20 50
recv_wait h1 h2
check "h1 (INCLUDE 2001:db8::5)" "2001:db8::5 ff0e::1:1 20" "$(got h1)"
check "h2 (EXCLUDE 2001:db8::6)" "2001:db8::5 ff0e::1:1 20" "$(got h2)"

echo "== a storm of 10,000 groups through the proxy, packed upstream"
# h1 reports 10,000 ASM groups (239.16.0.0 on) in 55 full IGMPv3
# reports; the proxy takes them upstream packed (183 records per
# report) with one retransmission each: about 110 packets, where one
# report per group would be 10,000 and more. The provider's wan counts
# multicast frames received (the proxy's reports, and a general query's
# answer if one falls in the window: 55 more), bound at 3 * 55 + 20.
# (the kernel's IpExt InMcastPkts in the provider: veth keeps no
# multicast count of its own)
rx_mcast() { in_ns "$NS_PROV" awk '/^IpExt:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "InMcastPkts") c = i; h = 1 } else print $c }' /proc/net/netstat; }
before=$(rx_mcast)
in_ns "$NS_H1" "$BIN/mcstorm" eth0 10.0.1.10 10000 1 >/dev/null
frr_count() { vty -c "show ip igmp groups" | awk '$1 == "wan" && $2 ~ /^239\.16\./' | wc -l; }
for i in $(seq 150); do
	[ "$(frr_count)" -ge 10000 ] && break
	sleep 0.2
done
check "FRR has all 10,000 groups from the proxy" 10000 "$(frr_count)"
sleep 1.5 # the retransmissions (within the 1 s Unsolicited Report Interval)
after=$(rx_mcast)
pk=$((after - before))
if [ "$pk" -le 185 ] && [ "$pk" -ge 55 ]; then
	check "provider received $pk packets for 10,000 groups (55..185)" ok ok
else
	check "provider received $pk packets for 10,000 groups (55..185)" ok "$pk"
fi

echo "== the provider drops to IGMPv2: the proxy follows"
vty -c "configure terminal" -c "interface wan" -c "ip igmp version 2" >/dev/null
for i in $(seq 60); do
	ctl mcastd show proxy | grep -q "IGMPv2" && break
	sleep 0.25
done
check "the proxy's host part speaks IGMPv2" "proxy tv upstream wan IGMPv2 address 10.1.0.2 querier 10.1.0.1" \
	"$(ctl mcastd show proxy | grep '^proxy' | head -1)"
# an IGMPv2 report: FRR's group has no filter mode, version 2
recv_start h1 "$NS_H1" join 239.3.3.3 sleep 3000
for i in $(seq 50); do
	vty -c "show ip igmp groups" | grep -q "239.3.3.3" && break
	sleep 0.2
done
check "FRR has 239.3.3.3 from an IGMPv2 report" "239.3.3.3 ---- 2" \
	"$(vty -c "show ip igmp groups" | awk '$1 == "wan" && $2 == "239.3.3.3" { print $2, $3, $6 }')"
recv_wait h1

echo "== mcastd stops: it leaves upstream at once"
recv_start h1 "$NS_H1" join 239.7.7.7 sleep 6000
for i in $(seq 50); do
	vty -c "show ip igmp groups" | grep -q "239.7.7.7" && break
	sleep 0.2
done
kill -TERM "$(cat "$TMP/mcastd.pid")"
# an IGMPv2 leave: FRR asks twice, 1 s apart, then drops the group (and
# the storm's 10,000 the same way)
for i in $(seq 100); do
	[ -z "$(vty -c "show ip igmp groups" | awk '$1 == "wan" && $2 != "224.0.0.22" { print $2 }')" ] && break
	sleep 0.2
done
check "FRR has nothing from the proxy" "" \
	"$(vty -c "show ip igmp groups" | awk '$1 == "wan" && $2 != "224.0.0.22" { print $2 }')"

echo "proxy: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
