#!/bin/sh
# Metrics: mcastd's Prometheus text format over HTTP (metrics-listen) and
# from `mcastctl metrics`, read with a real parser of the format
# (python3-prometheus-client) and checked against the state this test
# made and against `mcastctl show ... --json`.
#   tests/netns/metrics.sh [BIN]
cd "$(dirname "$0")/../.." || exit 1
BIN=${1:-build/bin}
. tests/netns/lib.sh
need_root metrics

topology
CONF="metrics-listen 127.0.0.1:9650
interface wan
interface lan1 query-interval 10s query-response 2s
interface lan2 query-interval 10s query-response 2s"
start_mcastd "$NS_RTR" "$CONF" || exit 1

scrape() { in_ns "$NS_RTR" curl -sf "http://127.0.0.1:9650$1"; }
parsed() { scrape /metrics | tests/netns/promparse.py; }
# series NAME LABELS...: the value of the one sample with exactly those labels
series() { n=$1; shift; l=$(printf '%s\n' "$@" | sort | paste -sd, -); grep -F "$n{$l} " "$TMP/m.txt" | awk '{ print $NF }'; }

echo "== a member on lan1, 20 datagrams forwarded to it"
recv_start h1 "$NS_H1" join 239.9.9.9 block 239.9.9.9 10.0.0.99 recv 3000
wait_for 10 sh -c "$BIN/mcastctl -S $TMP/mcastd.sock show groups | grep -q 239.9.9.9"
send 239.9.9.9 10.0.0.5 20 20
recv_wait h1
check "h1 got 20" "10.0.0.5 239.9.9.9 20" "$(got h1)"

echo "== /metrics over HTTP, read by prometheus_client's parser"
check "the scrape parses" "ok" "$(parsed >"$TMP/m.txt" && echo ok)"
check "mcast_groups{lan1, ipv4} = show interfaces" \
	"$(ctl mcastd show interfaces --json | jq '.[] | select(.name == "lan1" and .family == "ipv4") | .groups')" \
	"$(series mcast_groups 'family="ipv4"' 'interface="lan1"')"
check "mcast_groups{lan1, ipv4} is 1" "1" "$(series mcast_groups 'family="ipv4"' 'interface="lan1"')"
check "mcast_sources{lan1, ipv4}: the EXCLUDE list's one source" "1" "$(series mcast_sources 'family="ipv4"' 'interface="lan1"')"
check "mcast_querier{lan2, ipv4} is 1" "1" "$(series mcast_querier 'family="ipv4"' 'interface="lan2"')"
# (reports keep coming: the scrape lies between a count before and after)
rx() { ctl mcastd show stats --json | jq '.interfaces[] | select(.name == "lan1" and .family == "ipv4") | .rx_reports'; }
before=$(rx)
parsed >"$TMP/m2.txt"
after=$(rx)
scraped=$(grep -F 'mcast_rx_reports_total{family="ipv4",interface="lan1"} ' "$TMP/m2.txt" | awk '{ print $NF }')
check "mcast_rx_reports_total{lan1} = show stats ($before <= $scraped <= $after)" "yes" \
	"$([ "$before" -le "$scraped" ] && [ "$scraped" -le "$after" ] && [ "$scraped" -gt 0 ] && echo yes)"
check "the (S,G)'s kernel packet counter: 20" "20" \
	"$(series mcast_mfc_packets_total 'family="ipv4"' 'group="239.9.9.9"' 'input="wan"' 'source="10.0.0.5"')"
check "lan1's VIF sent 20" "20" "$(series mcast_vif_packets_out_total 'family="ipv4"' 'interface="lan1"')"
check "a drop reason as a label (zero here)" "0" \
	"$(series mcast_drops_total 'family="ipv4"' 'interface="lan1"' 'reason="bad_checksum"')"
check "mcast_mfc_entries{ipv4} = show stats" \
	"$(ctl mcastd show stats --json | jq '.tables[] | select(.family == "ipv4") | .mfc_entries')" \
	"$(series mcast_mfc_entries 'family="ipv4"')"
check "types: mcast_groups gauge, mcast_rx_reports counter" "# mcast_groups gauge|# mcast_rx_reports counter" \
	"$(grep -E '^# (mcast_groups|mcast_rx_reports) ' "$TMP/m.txt" | tr '\n' '|' | sed 's/|$//')"
check "scrapes counted" "1" "$(series mcast_metrics_scrapes_total)"
parsed >"$TMP/m.txt"
check "and the next scrape counts 3 (one more above)" "3" "$(series mcast_metrics_scrapes_total)"
check "content type" "text/plain; version=0.0.4; charset=utf-8" \
	"$(in_ns "$NS_RTR" curl -s -o /dev/null -w '%{content_type}' http://127.0.0.1:9650/metrics)"

echo "== mcastctl metrics: the same format"
check "mcastctl metrics parses" "ok" "$(ctl mcastd metrics | tests/netns/promparse.py >"$TMP/c.txt" && echo ok)"
check "the same series as over HTTP" "$(grep -v scrapes "$TMP/m.txt" | sed 's/ [0-9.e+]*$//' | sort | md5sum)" \
	"$(grep -v scrapes "$TMP/c.txt" | sed 's/ [0-9.e+]*$//' | sort | md5sum)"

echo "== other requests"
check "another path: 404" "404" \
	"$(in_ns "$NS_RTR" curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9650/other)"
check "POST: 405" "405" \
	"$(in_ns "$NS_RTR" curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:9650/metrics)"
check "a bad metrics-listen is named" "c.conf:1: metrics-listen: expected ADDRESS:PORT, such as 127.0.0.1:9650 or [::1]:9650" \
	"$(printf 'metrics-listen 10.0.0.1\ninterface lan1\n' >"$TMP/c.conf"; "$BIN/mcastd" -t -f "$TMP/c.conf" 2>&1 | sed "s|$TMP/||" | head -1)"

echo "metrics: $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
