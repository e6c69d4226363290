#!/bin/sh
# mcastctl against a stand-in for mcastd (socat on a Unix socket): what it
# sends for options anywhere on the line, and how it takes framed
# answers — whole, cut short, too long, an error, none. No root.
#   tests/daemon/ctl.sh [BIN]
BIN=${1:-build/bin}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
fails=0
# serve ANSWER: one connection; the request line goes to $tmp/req
serve() {
	rm -f "$tmp/s" "$tmp/req"
	printf '%b' "$1" >"$tmp/answer"
	timeout 5 socat -t 2 "UNIX-LISTEN:$tmp/s" SYSTEM:"head -n 1 >$tmp/req; cat $tmp/answer" &
	for i in $(seq 50); do [ -S "$tmp/s" ] && return; sleep 0.05; done
}
expect() { # NAME STATUS STDOUT STDERR-SUBSTRING REQUEST -- mcastctl args
	name=$1 st=$2 out=$3 err=$4 req=$5
	shift 5
	got=$("$BIN/mcastctl" -S "$tmp/s" "$@" 2>"$tmp/err")
	rc=$?
	wait
	if [ "$rc" != "$st" ] || [ "$got" != "$out" ] || { [ -n "$err" ] && ! grep -qF -- "$err" "$tmp/err"; } ||
		[ "$(cat "$tmp/req" 2>/dev/null)" != "$req" ]; then
		echo "FAIL $name: status $rc, stdout '$got', stderr '$(cat "$tmp/err")', request '$(cat "$tmp/req" 2>/dev/null)'"
		fails=$((fails + 1))
	else
		echo "ok   $name"
	fi
}
serve 'ok 6\nhello\n'
expect "a whole answer" 0 "hello" "" "show groups json" show groups --json
serve 'ok 6\nhello\n'
expect "options anywhere on the line" 0 "hello" "" "show groups json" --json show groups
serve 'ok 100\nhello\n'
expect "an answer cut short exits 1" 1 "hello" "answer cut short: 6 of 100 bytes" "show mfc" show mfc
serve 'ok 2\nhello\n'
expect "an answer longer than announced exits 1" 1 "" "answer longer than announced" "show vifs" show vifs
serve 'error: no such thing\n'
expect "an error exits 1 and says it" 1 "" "mcastctl: no such thing" "audit" audit
serve ''
expect "no answer exits 1" 1 "" "no answer from" "reload" reload
"$BIN/mcastctl" -S "$tmp/none" show groups 2>"$tmp/err"
rc=$?
if [ "$rc" = 1 ] && grep -q "is mcastd running" "$tmp/err"; then echo "ok   no daemon"; else
	echo "FAIL no daemon: $rc $(cat "$tmp/err")"; fails=$((fails + 1)); fi
"$BIN/mcastctl" show nonsense 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "unknown command show nonsense" "$tmp/err"; then echo "ok   unknown command"; else
	echo "FAIL unknown command: $rc $(cat "$tmp/err")"; fails=$((fails + 1)); fi
"$BIN/mcastctl" join lan1 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "usage: join IFACE GROUP \[SOURCE\]" "$tmp/err"; then echo "ok   usage of a command"; else
	echo "FAIL usage of a command: $rc $(cat "$tmp/err")"; fails=$((fails + 1)); fi
v=$("$BIN/mcastctl" --version) && d=$("$BIN/mcastd" --version)
if [ "${v%% *}" = "mcastctl" ] && [ "${d%% *}" = "mcastd" ] && [ "${v#* }" = "${d#* }" ]; then echo "ok   --version ($v)"; else
	echo "FAIL --version: '$v' '$d'"; fails=$((fails + 1)); fi
echo "ctl: $fails failed"
[ "$fails" -eq 0 ]
