#!/bin/sh
# tshark cross-check of libmcast's encoder and decoder.
#
#   crosscheck.sh BINDIR [PCAP...]
#
# mcast-vectors writes every IGMP/MLD message type to a pcap. Then:
#  1. tshark, with IPv4 header checksum validation on, must report no
#     malformed packet and no IP, IGMP or ICMPv6 checksum that is not good;
#  2. for every frame, tshark's decoding (type, max response, QRV, QQIC,
#     S flag, groups, record types, source counts, sources) must equal
#     mcastdump's decoding of the same frame, field by field.
# Extra PCAP arguments (real captures) get the same comparison.
set -eu
bindir=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$bindir/mcast-vectors" "$tmp/vectors.pcap" >/dev/null

# IGMP, and the ICMPv6 types of MLD (not neighbour discovery).
filter="igmp or icmpv6.type == 130 or icmpv6.type == 131 or icmpv6.type == 132 or icmpv6.type == 143"

check_file() {
	pcap=$1
	name=$(basename "$pcap")
	# 1. Malformed packets and checksums.
	tshark -n -r "$pcap" -o ip.check_checksum:TRUE -Y "$filter" \
		-T fields -E separator='|' \
		-e frame.number -e ip.checksum.status -e igmp.checksum.status \
		-e icmpv6.checksum.status -e _ws.malformed 2>"$tmp/err" >"$tmp/ck" ||
		{ echo "FAIL $name: tshark failed:"; head -n 5 "$tmp/err"; return 1; }
	bad=$(awk -F'|' '
		($2 != "" && $2 != "1") || ($3 != "" && $3 != "1") ||
		($4 != "" && $4 != "1") || $5 != "" { print "frame " $1 ": ip=" $2 " igmp=" $3 " icmpv6=" $4 " malformed=" $5 }
		($3 == "" && $4 == "") { print "frame " $1 ": tshark saw no IGMP/ICMPv6" }' "$tmp/ck")
	if [ -n "$bad" ]; then
		echo "FAIL $name: tshark found bad packets:"
		echo "$bad"
		return 1
	fi

	# 2. Field-by-field comparison.
	tshark -n -r "$pcap" -Y "$filter" \
		-T fields -E separator='|' -E aggregator=',' \
		-e frame.number -e igmp.type -e icmpv6.type -e igmp.version \
		-e igmp.max_resp -e icmpv6.mld.maximum_response_delay \
		-e icmpv6.mld.maximum_response_code -e igmp.qrv -e icmpv6.mld.flag.qrv \
		-e igmp.qqic -e icmpv6.mld.qqi -e igmp.s -e icmpv6.mld.flag.s \
		-e igmp.maddr -e icmpv6.mld.multicast_address -e icmpv6.mldr.mar.multicast_address \
		-e igmp.record_type -e icmpv6.mldr.mar.record_type \
		-e igmp.num_src -e icmpv6.mld.nb_sources -e icmpv6.mldr.mar.nb_sources \
		-e igmp.saddr -e icmpv6.mld.source_address -e icmpv6.mldr.mar.source_address \
		2>"$tmp/err" | awk -F'|' '{
			type = $2 $3; igmp = ($2 != "")
			query = (type == "0x11" || type == "130")
			v3q = query && ((igmp && $4 == "3") || (!igmp && $7 != ""))
			mr = ""
			if (query && !(igmp && $4 == "1")) mr = $5 $6 $7
			qrv = v3q ? $8 $9 : ""; qqic = v3q ? $10 $11 : ""; s = v3q ? $12 $13 : ""
			if (s == "True") s = 1; if (s == "False") s = 0
			nsrc = $19 $20 $21; if (query && !v3q) nsrc = ""
			print $1 "|" type "|" mr "|" qrv "|" qqic "|" s "|" $14 $15 $16 "|" $17 $18 "|" nsrc "|" $22 $23 $24
		}' >"$tmp/tshark.txt"

	"$bindir/mcastdump" --json "$pcap" | jq -r '
		def j: map(tostring) | join(",");
		(.type // 0) as $t | (.family == "ipv4") as $v4 |
		(if $v4 then "0x" + ([($t / 16 | floor), ($t % 16)] | map("0123456789abcdef"[.:.+1]) | join("")) else ($t | tostring) end) as $type |
		(.message | test("query")) as $q |
		($q and ((.version == 3 and $v4) or (.version == 2 and ($v4 | not)))) as $v3q |
		(if .dropped then "DROPPED " + .dropped
		 else
		  [ (.frame | tostring), $type,
		    (if $q and (.version != 1 or ($v4 | not)) then (if $v4 then (.max_resp_ms / 100 | floor) else .max_resp_ms end | tostring) else "" end),
		    (if $v3q then (.qrv | tostring) else "" end),
		    (if $v3q then (if $v4 then .qqic else .qqi_s end | tostring) else "" end),
		    (if $v3q then (if .s_flag then "1" else "0" end) else "" end),
		    (if .records then (.records | map(.group) | j) else .group end),
		    (if .records then (.records | map(.type_code) | j) else "" end),
		    (if .records then (.records | map(.sources | length) | j) elif $v3q then (.sources | length | tostring) else "" end),
		    (if .records then ([.records[].sources[]] | j) elif $v3q then (.sources | j) else "" end)
		  ] | join("|")
		 end)' >"$tmp/ours.txt"

	if [ ! -s "$tmp/tshark.txt" ]; then
		echo "FAIL $name: tshark printed nothing:"
		head -n 5 "$tmp/err"
		return 1
	fi
	if ! diff -u "$tmp/tshark.txt" "$tmp/ours.txt" >"$tmp/diff"; then
		echo "FAIL $name: tshark and mcastdump decode differently (- tshark, + mcastdump):"
		head -n 40 "$tmp/diff" | cut -c1-160
		return 1
	fi
	echo "ok   $name: $(wc -l <"$tmp/ours.txt") frames, tshark and mcastdump agree, no malformed packet, checksums good"
}

rc=0
check_file "$tmp/vectors.pcap" || rc=1
for f in "$@"; do
	check_file "$f" || rc=1
done
exit $rc
