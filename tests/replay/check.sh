#!/bin/sh
# Replays the real Linux captures of tests/data into a simulated router
# and checks the state the RFC 3376 6.4 / RFC 3810 7.4 tables predict at
# chosen times (the router is querier; GMI 260 s, LMQT 2 s):
#
# IGMPv3 (linux-igmpv3.pcap): TO_EX 239.1.1.1 {} at 1.0 s; ALLOW 232.1.1.1
# {5,6} at 2.5 s; BLOCK 239.1.1.1 {7} at 4.0 s (EXCLUDE: 7 joins X with
# the group timer, is queried, lowered to LMQT, and at 6.0 s becomes
# excluded); BLOCK 232.1.1.1 {5} at 5.5 s (INCLUDE: queried, gone at
# 7.5 s); TO_IN 239.1.1.1 {} at 7.0 s (Q(G), group gone at 9.0 s).
#   usage: check.sh BINDIR
set -eu
bin=$1
data=$(cd "$(dirname "$0")/../data" && pwd)
fail=0
check() { # name, want, got
	if [ "$2" = "$3" ]; then
		echo "ok   replay $1"
	else
		echo "FAIL replay $1"
		echo "  want: $2"
		echo "  got:  $3"
		fail=1
	fi
}

got=$("$bin/mcastsim" replay "$data/linux-igmpv3.pcap" --at 3 --at 6.5 --at 8 --at 10 2>/dev/null |
	jq -c 'select(.interfaces[0].family == "ipv4") | [.time_ms, [.interfaces[0].groups[] |
		[.group, .filter_mode, (.sources | map([.address, .forwarding]))]]]' | head -n 4 | tr -d '\n')
want='[3000,[["232.1.1.1","include",[["10.99.0.5",true],["10.99.0.6",true]]],["239.1.1.1","exclude",[]]]]'
want="$want"'[6500,[["232.1.1.1","include",[["10.99.0.5",true],["10.99.0.6",true]]],["239.1.1.1","exclude",[["10.99.0.7",false]]]]]'
want="$want"'[8000,[["232.1.1.1","include",[["10.99.0.6",true]]],["239.1.1.1","exclude",[["10.99.0.7",false]]]]]'
want="$want"'[10000,[["232.1.1.1","include",[["10.99.0.6",true]]]]]'
check "linux-igmpv3.pcap" "$want" "$got"

# MLDv2 (linux-mldv2.pcap): TO_EX ff05::9 {} at 3.0 s; ALLOW ff35::1:2
# {1,2} at 4.5 s; BLOCK ff05::9 {7,8} at 6.0 s (excluded at 8.0 s);
# TO_IN ff05::9 {} at 7.5 s (gone at 9.5 s); the socket's close at 8.5 s
# blocks ff35::1:2 {1,2} (gone at 10.5 s). The kernel's own
# solicited-node groups are left out.
got=$("$bin/mcastsim" replay "$data/linux-mldv2.pcap" --at 5 --at 7 --at 9 --at 11 2>/dev/null |
	jq -c 'select(.interfaces[0].family == "ipv6") | [.time_ms, [.interfaces[0].groups[] |
		select(.group | startswith("ff02::1:ff") | not) |
		[.group, .filter_mode, (.sources | map([.address, .forwarding]))]]]' | head -n 4 | tr -d '\n')
want='[5000,[["ff05::9","exclude",[]],["ff35::1:2","include",[["2001:db8::1",true],["2001:db8::2",true]]]]]'
want="$want"'[7000,[["ff05::9","exclude",[["2001:db8::7",true],["2001:db8::8",true]]],["ff35::1:2","include",[["2001:db8::1",true],["2001:db8::2",true]]]]]'
want="$want"'[9000,[["ff05::9","exclude",[["2001:db8::7",false],["2001:db8::8",false]]],["ff35::1:2","include",[["2001:db8::1",true],["2001:db8::2",true]]]]]'
want="$want"'[11000,[]]'
check "linux-mldv2.pcap" "$want" "$got"

# MLDv1 and IGMPv2: the v1/v2 report puts the group in compatibility mode.
got=$("$bin/mcastsim" replay "$data/linux-igmpv2.pcap" --at 2 2>/dev/null |
	jq -c 'select(.interfaces[0].family == "ipv4") | .interfaces[0].groups | map([.group, .filter_mode, .compat_version])' | head -n 1)
check "linux-igmpv2.pcap" '[["239.2.2.2","exclude",2]]' "$got"
# Several interfaces, settings by name, the router's queries. lan1 takes
# the IGMPv3 capture, lan2 the IGMPv2 one (merged in time: it starts
# 9.5 s later) as an IGMPv2 interface at 10.0.0.1; lmqi 500 ms for both.
# The router queries at once on both (startup), then lan2 answers the
# leave at 12.537 s with Q(239.2.2.2) twice, 500 ms apart (LMQC 2); the
# group is gone at 13.537 s (LMQT 1 s), before the state at 14 s.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin/mcastsim" replay --iface lan1="$data/linux-igmpv3.pcap" \
	--iface lan2="$data/linux-igmpv2.pcap,10.0.0.1" --set lan2:igmp-version=2 --set lmqi=500ms \
	--at 14 --pcap "$tmp" >"$tmp/out" 2>/dev/null ||
	{ echo "FAIL replay: mcastsim replay with two interfaces exited $?"; fail=1; }
got=$(jq -c 'select(.direction == "out" and .interface == "lan2" and .family == "ipv4") |
	[.time_ms, .message, .group, .max_resp_ms]' "$tmp/out" | tr -d '\n')
check "two interfaces: lan2's queries (IGMPv2, lmqi 500ms)" \
	'[0,"IGMPv2 query","0.0.0.0",10000][12537,"IGMPv2 query","239.2.2.2",500][13037,"IGMPv2 query","239.2.2.2",500]' "$got"
got=$(jq -c 'select(.direction == "out" and .interface == "lan1" and .family == "ipv4" and .group != "0.0.0.0") |
	[.time_ms, .group, .sources]' "$tmp/out" | head -n 2 | tr -d '\n')
check "two interfaces: lan1's group-and-source query and its repeat" \
	'[4004,"239.1.1.1",["10.99.0.7"]][4504,"239.1.1.1",["10.99.0.7"]]' "$got"
got=$(jq -c 'select(.interfaces and .interfaces[0].family == "ipv4") | [.interfaces[] |
	[.name, .querier_address, .version, (.groups | map(.group))]]' "$tmp/out" | tail -n 1)
check "two interfaces: final state per interface" \
	'[["lan1","10.255.255.254",3,["232.1.1.1"]],["lan2","10.0.0.1",2,[]]]' "$got"
# The pcap per interface: the capture's packets and the router's, in order.
got=$("$bin/mcastdump" "$tmp/lan2.pcap" 2>/dev/null | grep -E "IGMPv2 (query|leave)" | cut -d' ' -f4- | tr '\n' ';')
check "two interfaces: lan2.pcap" \
	"10.0.0.1 > 224.0.0.1 IGMPv2 query general max_resp=10000ms;10.99.0.2 > 224.0.0.2 IGMPv2 leave 239.2.2.2;10.0.0.1 > 239.2.2.2 IGMPv2 query 239.2.2.2 max_resp=500ms;10.0.0.1 > 239.2.2.2 IGMPv2 query 239.2.2.2 max_resp=500ms;" "$got"
# Any number of --at times: 100 of them, two state lines each, plus the end.
ats=$(seq 1 100 | sed 's/^/--at /' | tr '\n' ' ')
# shellcheck disable=SC2086
got=$("$bin/mcastsim" replay "$data/linux-igmpv3.pcap" $ats 2>/dev/null | jq -c 'select(.interfaces)' | wc -l)
check "100 --at times" 202 "$got"
# Bad settings are named with what is allowed.
for case in "colour=blue|unknown setting colour" "robustness=9|robustness expects 1..7" \
	"lan9:querier=off|no interface lan9" "lmqi|expected [IFACE:]KEY=VALUE"; do
	arg=${case%%|*}
	want=${case#*|}
	if "$bin/mcastsim" replay "$data/linux-igmpv3.pcap" --set "$arg" >/dev/null 2>"$tmp/err"; then
		echo "FAIL replay --set $arg: accepted"
		fail=1
	elif grep -qF -- "$want" "$tmp/err"; then
		echo "ok   replay --set $arg refused: $(cat "$tmp/err")"
	else
		echo "FAIL replay --set $arg: want \"$want\" in: $(cat "$tmp/err")"
		fail=1
	fi
done
exit $fail
