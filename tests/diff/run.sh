#!/bin/sh
# Differential tests against the Linux kernel (docs/conformance.md): the
# host engine against a Linux host (hostdiff) and the router engine
# against a Linux bridge's snooping state, as querier and not (rtdiff),
# for IPv4 and IPv6; the six runs go side by side, each in namespaces of
# its own, removed on exit whatever happens.
#   tests/diff/run.sh BINDIR [SEQS] [SEED] [STEPS]
# (make diff SEQS=N SEED=S STEPS=M runs more.) Exit 77 without root.
set -u
bin=$1
seqs=${2:-2}
seed=${3:-1}
steps=${4:-20}
if [ "$(id -u)" != 0 ]; then
	echo "diff: needs root (network namespaces); skipped" >&2
	exit 77 # scripts/check counts it as skipped
fi
id="mcd$$"
tmp=$(mktemp -d)
made=""
cleanup() {
	for n in $made; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
mkns() {
	ip netns add "$1" || exit 1
	made="$made $1"
}
n=0
for f in 4 6; do
	for job in host rtq rtn; do
		n=$((n + 1))
		a="$id-$n-a" b="$id-$n-b"
		mkns "$a"
		mkns "$b"
		case $job in
		host) set -- "$bin/hostdiff" -$f --host "$a" --querier "$b" ;;
		rtq) set -- "$bin/rtdiff" -$f --bridge "$a" --hosts "$b" --querier ;;
		rtn) set -- "$bin/rtdiff" -$f --bridge "$a" --hosts "$b" ;;
		esac
		("$@" --seed "$seed" --seqs "$seqs" --steps "$steps" >"$tmp/$n.out" 2>&1; echo $? >"$tmp/$n.rc") &
	done
done
wait
fail=0
for k in $(seq 1 $n); do
	cat "$tmp/$k.out"
	[ "$(cat "$tmp/$k.rc" 2>/dev/null)" = 0 ] || fail=1
done
exit $fail
