#!/bin/sh
# Regenerates the real Linux captures in tests/data (run as root; needs
# iproute2, dumpcap from tshark, and build/bin/mcjoin). Two namespaces
# joined by a veth pair: the host side joins and leaves through the
# kernel's socket API, the other side captures what the kernel sends.
#
#   linux-igmpv3.pcap  IGMPv3: ASM join, source joins, block, filter
#                      change, leaves (TO_EX, ALLOW, BLOCK, TO_IN)
#   linux-igmpv2.pcap  force_igmp_version=2: v2 reports and leave
#   linux-mldv2.pcap   MLDv2 from a link-local source, with DAD's reports
#   linux-mldv1.pcap   force_mld_version=1: MLDv1 reports and done
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mcjoin=${MCJOIN:-$here/../../build/bin/mcjoin}
tag=mcap$$
h=${tag}h
c=${tag}c
cleanup() {
	ip netns del "$h" 2>/dev/null || true
	ip netns del "$c" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

ip netns add "$h"
ip netns add "$c"
ip -n "$h" link add eth0 type veth peer name eth0 netns "$c"
ip -n "$c" link set eth0 up
ip -n "$c" link set lo up
ip -n "$h" link set lo up
ip -n "$h" addr add 10.99.0.2/24 dev eth0
ip netns exec "$h" sysctl -qw net.ipv6.conf.eth0.addr_gen_mode=0

capture() { # name, seconds, then the host commands
	name=$1
	secs=$2
	shift 2
	ip netns exec "$c" dumpcap -q -i eth0 -a duration:"$secs" -P -w "$here/$name" 2>/dev/null &
	dpid=$!
	sleep 1
	ip netns exec "$h" "$@"
	wait "$dpid"
	chmod 644 "$here/$name"
}

# IGMPv3
capture linux-igmpv3.pcap 9 sh -c "
	ip link set eth0 up; sleep 1
	$mcjoin -i eth0 join 239.1.1.1 sleep 1500 \
		sjoin 232.1.1.1 10.99.0.5 sjoin 232.1.1.1 10.99.0.6 sleep 1500 \
		block 239.1.1.1 10.99.0.7 sleep 1500 \
		sleave 232.1.1.1 10.99.0.5 sleep 1500 leave 239.1.1.1 sleep 1500"

# IGMPv2
ip -n "$h" link set eth0 down
ip netns exec "$h" sysctl -qw net.ipv4.conf.eth0.force_igmp_version=2
capture linux-igmpv2.pcap 6 sh -c "
	ip link set eth0 up; sleep 1
	$mcjoin -i eth0 join 239.2.2.2 sleep 2000 leave 239.2.2.2 sleep 1000"

# MLDv2 (the kernel's own solicited-node and DAD reports come first)
ip -n "$h" link set eth0 down
capture linux-mldv2.pcap 10 sh -c "
	ip link set eth0 up; sleep 3
	$mcjoin -i eth0 join ff05::9 sleep 1500 \
		sjoin ff35::1:2 2001:db8::1 sjoin ff35::1:2 2001:db8::2 sleep 1500 \
		filter ff05::9 exclude 2001:db8::7,2001:db8::8 sleep 1500 leave ff05::9 sleep 1000"

# MLDv1
ip -n "$h" link set eth0 down
ip netns exec "$h" sysctl -qw net.ipv6.conf.eth0.force_mld_version=1
capture linux-mldv1.pcap 8 sh -c "
	ip link set eth0 up; sleep 3
	$mcjoin -i eth0 join ff05::9 sleep 2000 leave ff05::9 sleep 1000"
ls -l "$here"/*.pcap
