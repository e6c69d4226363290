#!/bin/sh
# VIFs on demand: more interfaces than the kernel's 32 VIFs. One router
# with a sender's link (wan, "vif always") and 64 LANs, all 64 hosts in
# one namespace (h0..h63, each socket bound to its own interface). An
# interface holds a VIF only while it has members; the 33rd that needs
# one waits, shown and counted, and takes the first that frees. Traffic
# is counted by the receivers on each interface.
#   snd eth0 --[wan]-- rtr lan0..lan63 --[h0..h63]-- hs
#   tests/netns/vifs.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh

need_root vifs

N=64 G=239.6.6.6
NS_HS="$ID-hs"
add_ns "$NS_SND"; add_ns "$NS_RTR"; add_ns "$NS_HS"
link "$NS_SND" eth0 "$NS_RTR" wan
snd_setup 10.0.0.1 2001:db8::1
in_ns "$NS_RTR" ip addr add 10.0.0.1/24 dev wan
fwd_on "$NS_RTR"
in_ns "$NS_HS" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
CONF="interface wan vif always mld off"
for n in $(seq 0 $((N - 1))); do
	link "$NS_RTR" "lan$n" "$NS_HS" "h$n"
	in_ns "$NS_RTR" ip addr add "10.64.$n.1/24" dev "lan$n"
	in_ns "$NS_HS" ip addr add "10.64.$n.10/24" dev "h$n"
	CONF="$CONF
interface lan$n mld off fast-leave on query-interval 10s query-response 2s"
done
start_mcastd "$NS_RTR" "$CONF" || exit 1

# The IPv4 VIFs in use, the interfaces waiting, the kernel's VIF count
nvifs() { ctl mcastd show vifs --json | jq '.ipv4.vifs | length'; }
waiting() { ctl mcastd show vifs --json | jq -r '.ipv4_waiting | sort_by(ltrimstr("lan") | tonumber) | join(" ")'; }
kvifs() { in_ns "$NS_RTR" awk 'NR > 1' /proc/net/ip_mr_vif | wc -l; }
stat_of() { ctl mcastd show stats --all | awk -v k="$1" '/^IPv4 forwarding/ { s = 1 } /^IPv6|^daemon/ { s = 0 } s && $1 == k { print $2 }'; }
# hold N..M: a member of G on hN..hM (a socket that stays)
hold() {
	for n in $(seq "$1" "$2"); do
		ip netns exec "$NS_HS" "$BIN/mcjoin" -i "h$n" join "$G" sleep 120000 >/dev/null 2>&1 & # (execs: $! is mcjoin)
		echo $! >"$TMP/hold$n"
	done
}
# drop N..M: those members leave (the socket closes: a leave report)
drop() { for n in $(seq "$1" "$2"); do kill "$(cat "$TMP/hold$n")"; rm -f "$TMP/hold$n"; done; }
# count LIST: receivers on those interfaces while the sender sends 20;
# prints "hN:COUNT" for each, in order
count() {
	for n in $1; do
		in_ns "$NS_HS" "$BIN/mcjoin" -i "h$n" -p "$PORT" join "$G" recv 2500 >"$TMP/r$n.out" 2>&1 &
		echo $! >"$TMP/r$n.pid"
	done
	sleep 0.5
	send "$G" 10.0.0.5 20 20
	for n in $1; do
		wait "$(cat "$TMP/r$n.pid")"
		printf 'h%s:%s ' "$n" "$(awk '{ s += $3 } END { print s + 0 }' "$TMP/r$n.out")"
	done
}
# the members with a VIF: "lanN" numbers from the interfaces view
with_vif() { ctl mcastd show interfaces --json | jq -r '[.[] | select(.family == "ipv4" and (.name | startswith("lan")) and (.vif | type) == "number") | .name | ltrimstr("lan") | tonumber] | sort | map(tostring) | join(" ")'; }
oifs() { in_ns "$NS_RTR" ip mroute show | awk -v k="(10.0.0.5,$G)" '$1 == k { for (i = 5; i <= NF; i++) if ($i ~ /^lan/) print $i }' | sed 's/^lan//' | sort -n | tr '\n' ' ' | sed 's/ $//'; }
expect_counts() { # expect_counts WITH-VIF-LIST NONE-LIST -> the counts they should have
	for n in $(echo "$1 $2" | tr ' ' '\n' | grep . | sort -n); do
		case " $1 " in *" $n "*) printf 'h%s:20 ' "$n" ;; *) printf 'h%s:0 ' "$n" ;; esac
	done
}
sorted() { echo "$@" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }

echo "== 65 interfaces: VIFs on demand; only wan (vif always) holds one at the start"
check "mcastd says VIFs are on demand" "1" "$(grep -c 'IPv4: VIFs on demand' "$TMP/mcastd.log")"
check "one IPv4 VIF (wan)" "1" "$(nvifs)"
check "the kernel has one VIF" "1" "$(kvifs)"
check "nothing waits" "" "$(waiting)"

echo "== members on h0..h33: 31 LANs get the 31 VIFs left, 3 wait"
hold 0 33
wait_for 15 sh -c "[ \"\$($BIN/mcastctl -S $TMP/mcastd.sock show vifs --json | jq '.ipv4_waiting | length')\" = 3 ]"
check "32 VIFs in use" "32" "$(nvifs)"
check "the kernel has 32 VIFs" "32" "$(kvifs)"
W1=$(waiting)
check "3 interfaces wait" "3" "$(echo "$W1" | wc -w)"
check "vif_waits counts them" "3" "$(stat_of vif_waits)"
check "show interfaces: wait in the VIF column" "3" \
	"$(ctl mcastd show interfaces | awk '$1 ~ /^lan/ && $4 == "IGMP" && $7 == "wait"' | wc -l)"
check "show vifs names them" "Waiting for a VIF (on demand, none free): $W1" \
	"$(ctl mcastd show vifs | grep -m1 '^Waiting')"
V1=$(with_vif)
check "the others hold VIFs" "31" "$(echo "$V1" | wc -w)"
W1N=$(echo "$W1" | sed 's/lan//g')
echo "  (waiting: $W1N)"
check "traffic: 20 on each of the 31 with a VIF, none on the 3 waiting" "$(expect_counts "$V1" "$W1N")" \
	"$(count "$(sorted "$V1 $W1N")")"
check "the kernel's entry goes out of those 31" "$(sorted "$V1" | sed 's/ $//')" "$(oifs)"

echo "== 3 members with VIFs leave: the 3 waiting take their VIFs, the entry follows"
L1=$(echo "$V1" | cut -d' ' -f1-3)
for n in $L1; do drop "$n" "$n"; done
wait_for 15 sh -c "[ -z \"\$($BIN/mcastctl -S $TMP/mcastd.sock show vifs --json | jq -r '.ipv4_waiting | join(\" \")')\" ]"
check "nothing waits" "" "$(waiting)"
check "vifs_released: 3" "3" "$(stat_of vifs_released)"
V2=$(with_vif)
check "the 3 that waited hold VIFs now" "$(sorted "$W1N")" "$(sorted "$(for n in $W1N; do case " $V2 " in *" $n "*) echo "$n" ;; esac; done)")"
check "the 3 that left hold none" "" "$(for n in $L1; do case " $V2 " in *" $n "*) echo "$n" ;; esac; done)"
check "the kernel's entry: the 31 members, rewritten" "$(sorted "$V2" | sed 's/ $//')" "$(oifs)"
check "traffic: 20 on each of the 31 members" "$(expect_counts "$V2" "")" "$(count "$V2")"

echo "== another set: h0..h15 leave, h34..h63 join: 30 new members for the 13 VIFs free"
for n in $(seq 0 15); do [ -f "$TMP/hold$n" ] && drop "$n" "$n"; done
hold 34 63
wait_for 20 sh -c "[ \"\$($BIN/mcastctl -S $TMP/mcastd.sock show vifs --json | jq '.ipv4_waiting | length')\" = 17 ]"
check "32 VIFs in use" "32" "$(nvifs)"
check "the kernel has 32 VIFs" "32" "$(kvifs)"
V3=$(with_vif) W3=$(waiting | sed 's/lan//g')
check "17 wait" "17" "$(echo "$W3" | wc -w)"
check "31 members forward" "31" "$(echo "$V3" | wc -w)"
check "none of the left hold a VIF" "" "$(for n in $(seq 0 15); do case " $V3 " in *" $n "*) echo "$n" ;; esac; done)"
check "the kernel's entry: those 31" "$(sorted "$V3" | sed 's/ $//')" "$(oifs)"
check "traffic: 20 on each with a VIF, none on the waiting" "$(expect_counts "$V3" "$W3")" \
	"$(count "$(sorted "$V3 $W3")")"

echo "== IGMPv2 hosts (reports to the group address) are heard without a VIF"
in_ns "$NS_HS" sysctl -qw net.ipv4.conf.h0.force_igmp_version=2
ip netns exec "$NS_HS" "$BIN/mcjoin" -i h0 join 239.6.6.7 sleep 120000 >/dev/null 2>&1 &
echo $! >"$TMP/hold0"
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock show groups | grep -A2 '^lan0 IGMP' | grep -q 239.6.6.7"
check "lan0 has 239.6.6.7 from an IGMPv2 host" "v2" \
	"$(ctl mcastd show groups | awk '/^lan0 IGMP/ { s = 1; next } /^[a-z]/ { s = 0 } s && $1 == "239.6.6.7" { print $3 }')"
check "igmp_tapped counts it" "yes" "$([ "$(ctl mcastd show stats --all | awk '$1 == "igmp_tapped" { print $2 }')" -gt 0 ] && echo yes)"

kill "$(cat "$TMP/mcastd.pid")"
wait "$(cat "$TMP/mcastd.pid")" 2>/dev/null
check "mcastd stopped: the kernel's VIFs are gone" "0" "$(kvifs)"

echo "vifs: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
