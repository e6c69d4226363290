# Shared by the namespace tests: a topology of real Linux hosts around
# mcastd, with unique names, removed on exit whatever happens.
#
#   snd (sender)    eth0 10.0.0.5, 10.0.0.6, 2001:db8::5, 2001:db8::6
#     |
#   rtr (mcastd)    wan  10.0.0.1/24  2001:db8::1/64
#     |             lan1 10.0.1.1/24  2001:db8:1::1/64
#     |             lan2 10.0.2.1/24  2001:db8:2::1/64
#   h1 (on lan1)    eth0 10.0.1.10    2001:db8:1::10
#   h2 (on lan2)    eth0 10.0.2.10    2001:db8:2::10
#
# Every namespace name carries this run's id; every address is inside the
# namespaces (documentation and private ranges).
set -u
BIN=${BIN:-build/bin}
ID="mc$$"
NS_SND="$ID-snd" NS_RTR="$ID-rtr" NS_H1="$ID-h1" NS_H2="$ID-h2" NS_PROV="$ID-prov"
TMP=$(mktemp -d)
PORT=5001
ALL_NS=""

cleanup() {
	for ns in $ALL_NS; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${KEEP_LOGS:-}" ] && cp "$TMP"/*.log "$TMP"/*.out "$KEEP_LOGS"/ 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

in_ns() { ns=$1; shift; ip netns exec "$ns" "$@"; }

# need_root NAME: without root, says why and exits 77 (scripts/check
# counts it as skipped)
need_root() {
	[ "$(id -u)" = 0 ] && return 0
	echo "$1: needs root (network namespaces); skipped" >&2
	exit 77
}

add_ns() {
	ip netns add "$1"
	ALL_NS="$ALL_NS $1"
	in_ns "$1" ip link set lo up
	in_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# veth between two namespaces: link NS1 IF1 NS2 IF2
link() {
	ip link add "$ID-x" type veth peer name "$ID-y"
	ip link set "$ID-x" netns "$1"
	ip link set "$ID-y" netns "$3"
	in_ns "$1" ip link set "$ID-x" name "$2"
	in_ns "$3" ip link set "$ID-y" name "$4"
	in_ns "$1" ip link set "$2" up
	in_ns "$3" ip link set "$4" up
}

# The sender: snd_setup GATEWAY4 GATEWAY6
snd_setup() {
	in_ns "$NS_SND" ip addr add 10.0.0.5/24 dev eth0
	in_ns "$NS_SND" ip addr add 10.0.0.6/24 dev eth0
	in_ns "$NS_SND" ip addr add 2001:db8::5/64 dev eth0 nodad
	in_ns "$NS_SND" ip addr add 2001:db8::6/64 dev eth0 nodad
	in_ns "$NS_SND" ip route add default via "$1"
	in_ns "$NS_SND" ip -6 route add default via "$2"
}

# A router namespace's forwarding switches: fwd_on NS
fwd_on() {
	in_ns "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_ns "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# rtr's two LANs with h1 and h2 on them.
lans_setup() {
	link "$NS_RTR" lan1 "$NS_H1" eth0
	link "$NS_RTR" lan2 "$NS_H2" eth0
	for n in 1 2; do
		in_ns "$NS_RTR" ip addr add "10.0.$n.1/24" dev "lan$n"
		in_ns "$NS_RTR" ip addr add "2001:db8:$n::1/64" dev "lan$n" nodad
	done
	fwd_on "$NS_RTR"
	for h in "$NS_H1:1" "$NS_H2:2"; do
		ns=${h%:*} n=${h#*:}
		in_ns "$ns" ip addr add "10.0.$n.10/24" dev eth0
		in_ns "$ns" ip addr add "2001:db8:$n::10/64" dev eth0 nodad
		in_ns "$ns" ip route add default via "10.0.$n.1"
		in_ns "$ns" ip -6 route add default via "2001:db8:$n::1"
	done
}

# link-local addresses come up with the links; wait for them: ll_wait NS...
ll_wait() {
	for i in 1 2 3 4 5 6 7 8 9 10; do
		busy=""
		for ns in "$@"; do
			in_ns "$ns" ip -6 addr show scope link | grep -q tentative && busy=1
		done
		[ -z "$busy" ] && break
		sleep 0.2
	done
}

topology() {
	add_ns "$NS_SND"; add_ns "$NS_RTR"; add_ns "$NS_H1"; add_ns "$NS_H2"
	link "$NS_SND" eth0 "$NS_RTR" wan
	snd_setup 10.0.0.1 2001:db8::1
	in_ns "$NS_RTR" ip addr add 10.0.0.1/24 dev wan
	in_ns "$NS_RTR" ip addr add 2001:db8::1/64 dev wan nodad
	lans_setup
	ll_wait "$NS_RTR"
}

# The proxy tests' topology: a provider router between the sender and
# the proxy (rtr), whose wan is its upstream:
#   snd  eth0 10.0.0.5, .6, 2001:db8::5, ::6
#   prov core 10.0.0.1 2001:db8::1, wan 10.1.0.1 2001:db8:100::1
#   rtr  wan  10.1.0.2 2001:db8:100::2, lan1 and lan2 as above
#   h1 (lan1), h2 (lan2)
proxy_topology() {
	add_ns "$NS_SND"; add_ns "$NS_PROV"; add_ns "$NS_RTR"; add_ns "$NS_H1"; add_ns "$NS_H2"
	link "$NS_SND" eth0 "$NS_PROV" core
	link "$NS_PROV" wan "$NS_RTR" wan
	snd_setup 10.0.0.1 2001:db8::1
	in_ns "$NS_PROV" ip addr add 10.0.0.1/24 dev core
	in_ns "$NS_PROV" ip addr add 2001:db8::1/64 dev core nodad
	in_ns "$NS_PROV" ip addr add 10.1.0.1/24 dev wan
	in_ns "$NS_PROV" ip addr add 2001:db8:100::1/64 dev wan nodad
	in_ns "$NS_PROV" ip route add 10.0.0.0/8 via 10.1.0.2
	fwd_on "$NS_PROV"
	in_ns "$NS_RTR" ip addr add 10.1.0.2/24 dev wan
	in_ns "$NS_RTR" ip addr add 2001:db8:100::2/64 dev wan nodad
	in_ns "$NS_RTR" ip route add default via 10.1.0.1
	in_ns "$NS_RTR" ip -6 route add default via 2001:db8:100::1
	lans_setup
	ll_wait "$NS_RTR" "$NS_PROV"
}

# Two routers' namespaces on one link for querier elections: NS_Q1
# (10.9.0.1, the lower address) and NS_Q2 (10.9.0.2), both "lan", and
# QCONF, a configuration with short query timers for either.
querier_pair() {
	NS_Q1="$ID-q1" NS_Q2="$ID-q2"
	add_ns "$NS_Q1"; add_ns "$NS_Q2"
	link "$NS_Q1" lan "$NS_Q2" lan
	in_ns "$NS_Q1" ip addr add 10.9.0.1/24 dev lan
	in_ns "$NS_Q2" ip addr add 10.9.0.2/24 dev lan
	QCONF="interface lan mld off query-interval 2s query-response 1s"
}

# start_mcastd NS CONFIG-TEXT [NAME]: writes the file, starts mcastd -n,
# waits for its control socket.
start_mcastd() {
	ns=$1 name=${3:-mcastd}
	printf '%s\n' "$2" >"$TMP/$name.conf"
	# a killed one's socket file would look ready before this one is
	rm -f "$TMP/$name.sock"
	# ip netns exec execs the program: $! is mcastd itself
	# MCASTD_ENV: VAR=VALUE words put before mcastd (env execs it, so
	# $! stays mcastd); MCASTD_ARGS: more options
	# shellcheck disable=SC2086
	# MCASTD_DEBUG: the debug option, -d unless set (the benchmarks set
	# it empty: a debug line per group would be what they measure)
	ip netns exec "$ns" env ${MCASTD_ENV:-} "$BIN/mcastd" -n ${MCASTD_DEBUG--d} -u "${MCASTD_USER:-root}" ${MCASTD_ARGS:-} \
		-f "$TMP/$name.conf" -S "$TMP/$name.sock" >>"$TMP/$name.log" 2>&1 &
	echo $! >"$TMP/$name.pid"
	for i in $(seq 50); do
		[ -S "$TMP/$name.sock" ] && return 0
		kill -0 "$(cat "$TMP/$name.pid")" 2>/dev/null || break
		sleep 0.1
	done
	echo "mcastd ($name) did not start:" >&2
	tail -20 "$TMP/$name.log" >&2
	return 1
}

ctl() { name=$1; shift; "$BIN/mcastctl" -S "$TMP/$name.sock" "$@"; }

# Background receiver: recv_start NAME NS STEPS...; recv_wait NAME...
# (in this shell, not in $(...): only the parent can wait); got NAME
recv_start() {
	name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$BIN/mcjoin" -i eth0 -p "$PORT" "$@" >"$TMP/$name.out" 2>&1 &
	echo $! >"$TMP/$name.rpid"
}
recv_wait() { for r in "$@"; do wait "$(cat "$TMP/$r.rpid")"; done; }
got() { cat "$TMP/$1.out"; }

send() { in_ns "$NS_SND" "$BIN/mcjoin" -i eth0 -p "$PORT" send "$@"; }

# Two senders at once, each N datagrams MS apart (default 20 ms):
# send_both G S1 S2 N [MS]
send_both() {
	send "$1" "$2" "$4" "${5:-20}" &
	sp=$!
	send "$1" "$3" "$4" "${5:-20}"
	wait "$sp"
}

# wait_for SECONDS COMMAND...: polls every 100 ms until COMMAND succeeds;
# 1 when the deadline passes first.
wait_for() {
	wf_end=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(($(date +%s%N) / 1000000))" -ge "$wf_end" ] && return 1
		sleep 0.1
	done
	return 0
}

FAILS=0
PASSES=0
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		PASSES=$((PASSES + 1))
		echo "  ok   $1"
	else
		FAILS=$((FAILS + 1))
		echo "  FAIL $1"
		echo "       expected: $(printf '%s' "$2" | tr '\n' '|')"
		echo "       found:    $(printf '%s' "$3" | tr '\n' '|')"
	fi
}
