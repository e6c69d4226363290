#!/bin/sh
# mcastd -t: good files pass, every bad line is named with file:line and
# its reason, and a file with errors is refused as a whole. No root.
#   tests/daemon/config.sh [BIN]
BIN=${1:-build/bin}
. "$(dirname "$0")/../lib/verdict.sh" # $tmp, $fails, verdict
expect() { # expect NAME STATUS EXPECTED-OUTPUT FILE-TEXT
	printf '%s\n' "$4" >"$tmp/c.conf"
	out=$("$BIN/mcastd" -t -f "$tmp/c.conf" 2>&1 | sed "s|$tmp/||")
	"$BIN/mcastd" -t -f "$tmp/c.conf" >/dev/null 2>&1
	verdict "$1" "$2" "$3" "$?" "$out"
}

expect "a full file" 0 "c.conf: 3 interfaces, 2 routes, 2 access rules: ok" \
"# upstream and two LANs
interface wan mld off querier off
interface lan1 igmp-version 2 fast-leave on robustness 3 query-interval 60s lmqi 500ms
interface lan2 mld-version 1 max-groups 100 max-sources 10 ssm-range 232.0.0.0/8,ff3e::/16 threshold 4
allow lan1 239.0.0.0/8
deny lan2 239.1.0.0/16 source 10.0.0.0/8
route from wan group 239.8.8.8 to lan1 lan2
route from wan source 10.0.0.5 group 232.1.1.1 to lan2   # SSM static"

expect "every bad line named" 1 "c.conf:2: robustness: expected 1..7, not 0
c.conf:3: igmp-version: expected 1, 2 or 3, not 4
c.conf:4: interface wan is already configured (line 1)
c.conf:5: bad group prefix 10.0.0.0/8
c.conf:6: wan is the incoming interface and cannot be an output
c.conf:7: unknown statement routes
c.conf:8: query-response must be shorter than query-interval
c.conf:10: unknown interface setting colour
c.conf:9: route to lan9: no such interface in this file" \
"interface wan
interface lan1 robustness 0
interface lan2 igmp-version 4
interface wan
allow lan1 10.0.0.0/8
route from wan group 239.1.1.1 to wan
routes
interface lan3 query-interval 5s query-response 5s
route from wan group 239.2.2.2 to lan9
interface lan4 colour blue"

expect "proxies" 0 "c.conf: 5 interfaces, 0 routes, 1 access rules, 2 proxies, kernel tables 253 20: ok" \
"interface wan igmp-version 2
interface lan1
interface lan2 fast-leave on
interface wan2
interface lan3
deny lan2 239.255.0.0/16
proxy tv upstream wan upstream-report-interval 60s downstream lan1 lan2
proxy lab upstream wan2 upstream-querier on upstream-report-interval off table 20 downstream lan3"

expect "proxies in tables: mcastd's own, the default one, shared" 0 "c.conf: 8 interfaces, 0 routes, 0 access rules, 4 proxies, kernel tables 10 253 30: ok" \
"table 10
interface wan
interface lan1
interface wan2
interface lan2
interface wan3
interface lan3
interface wan4
interface lan4
proxy a upstream wan downstream lan1
proxy b upstream wan2 table default downstream lan2
proxy c upstream wan3 table 30 downstream lan3
proxy d upstream wan4 table 30 downstream lan4"

expect "tables 253 and 254 are one IPv6 table" 1 "c.conf:6: proxy b: tables 253 (default) and 254 are one IPv6 table (the kernel's default IPv6 table is 254): use another number" \
"interface wan
interface lan1
interface wan2
interface lan2
proxy a upstream wan downstream lan1
proxy b upstream wan2 table 254 downstream lan2"

expect "bad proxies named" 1 "c.conf:5: usage: proxy NAME upstream IFACE [upstream-querier on|off] [upstream-report-interval TIME|off] [table N] downstream IFACE...
c.conf:6: upstream-querier: expected on or off, not maybe
c.conf:7: a proxy called tv exists (line 4)
c.conf:11: upstream-report-interval: expected off or a time from 1s to 1h, such as 60s, not 5ms
c.conf:12: proxy tv5: table: expected default or a number from 1 to 99999999 (253 is the default table), not 253
c.conf:13: proxy tv6: table: expected default or a number from 1 to 99999999 (253 is the default table), not 0
c.conf:14: proxy tv7: table: expected default or a number from 1 to 99999999 (253 is the default table), not 100000000
c.conf:4: proxy tv: no interface lan9 in this file
c.conf:8: proxy lab: lan1 is already in proxy tv
c.conf:9: proxy self: no interface lan3 in this file
c.conf:9: proxy self: wan2 is already in proxy lab
c.conf:10: route from lan1: the interface is in a proxy (static routes join router interfaces)" \
"interface wan
interface lan1
interface wan2
proxy tv upstream wan downstream lan1 lan9
proxy tv2 upstream wan
proxy tv3 upstream wan upstream-querier maybe downstream lan1
proxy tv upstream wan2 downstream lan1
proxy lab upstream wan2 downstream lan1
proxy self upstream lan3 downstream wan2
route from lan1 group 239.1.1.1 to wan
proxy tv4 upstream wan upstream-report-interval 5ms downstream lan1
proxy tv5 upstream wan table 253 downstream lan1
proxy tv6 upstream wan table 0 downstream lan1
proxy tv7 upstream wan table 100000000 downstream lan1"

expect "limits and the audit" 0 "c.conf: 1 interfaces, 0 routes, 0 access rules: ok" \
"audit-interval 30s
max-mfc-entries 1000
table 10
static-group lan1 239.1.1.1
static-group lan1 232.1.1.1 10.0.0.5
ssm-map 232.1.1.0/24 10.0.0.5 10.0.0.6
ssm-map ff3e::8000:0/112 2001:db8::5
interface lan1 max-groups 0 max-total-sources 1000"

expect "bad limits and audit named, with what is allowed" 1 "c.conf:1: audit-interval: expected off or a time from 1s to 24h, such as 60s
c.conf:2: max-mfc-entries: expected a number from 1 to 10000000
c.conf:3: audit-interval: expected off or a time from 1s to 24h, such as 60s
c.conf:4: table: expected default or a number from 1 to 99999999 (253 is the default table)
c.conf:5: table: expected default or a number from 1 to 99999999 (253 is the default table)
c.conf:6: usage: ssm-map GROUP[/LEN] SOURCE... (a group prefix in an SSM range, up to 8 unicast sources of its family, 16 maps per family)
c.conf:7: usage: ssm-map GROUP[/LEN] SOURCE... (a group prefix in an SSM range, up to 8 unicast sources of its family, 16 maps per family)
c.conf:8: bad group 224.0.0.5 (a multicast group beyond link scope)
c.conf:9: static-group on lan9: no such interface in this file" \
"audit-interval 10ms
max-mfc-entries -5
audit-interval 1 2
table 253
table vrf1
ssm-map 232.1.1.0/24
ssm-map 232.1.1.0/24 2001:db8::5
static-group lan1 224.0.0.5
static-group lan9 239.1.1.1
interface lan1"

expect "VIFs on demand" 0 "c.conf: 2 interfaces, 0 routes, 0 access rules: ok" \
"vifs on-demand
interface wan vif always
interface lan1 vif on-demand"

expect "bad VIF settings named, with what is allowed" 1 "c.conf:1: vifs: expected auto, always or on-demand
c.conf:2: vif: expected always or on-demand, not sometimes" \
"vifs sometimes
interface wan vif sometimes
interface lan1"

expect "metrics-listen, IPv4 and IPv6" 0 "c.conf: 1 interfaces, 0 routes, 0 access rules: ok" \
"metrics-listen [::1]:9650
metrics-listen 127.0.0.1:9650
interface lan1"

expect "bad metrics-listen named, with the form" 1 "c.conf:1: metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650
c.conf:2: metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650
c.conf:3: metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650
c.conf:4: metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650" \
"metrics-listen 127.0.0.1:0
metrics-listen localhost:9650
metrics-listen ::1:9650
metrics-listen [::1]:70000
interface lan1"

expect "no interface" 1 "c.conf:0: no interface configured" "# nothing"
out=$("$BIN/mcastd" -t -f "$tmp/none.conf" 2>&1 | sed "s|$tmp/||")
if [ "$out" = "none.conf: No such file or directory" ]; then echo "ok   missing file"; else
	echo "FAIL missing file: $out"; fails=$((fails + 1)); fi
# the systemd unit's sandbox (docs/mcastd.8, SECURITY): exposure at most 2.5
if command -v systemd-analyze >/dev/null 2>&1; then
	exp=$(systemd-analyze security --offline=yes "$(dirname "$0")/../../dist/mcastd.service" 2>/dev/null |
		awk '/Overall exposure level/ { print $(NF - 2) }')
	if [ -n "$exp" ] && awk -v e="$exp" 'BEGIN { exit !(e <= 2.5) }'; then
		echo "ok   mcastd.service exposure $exp (systemd-analyze security)"
	else
		echo "FAIL mcastd.service exposure: ${exp:-not measured}, expected at most 2.5"
		fails=$((fails + 1))
	fi
else
	echo "skip mcastd.service exposure: systemd-analyze is not installed"
fi
echo "config: $fails failed"
[ "$fails" -eq 0 ]
