#!/bin/sh
# mcastsim refuses a scenario with a bad settings line, naming the file,
# the line and the reason, and runs nothing (status 2); a host's own
# settings pass. No root.
#   tests/sim/errors.sh [MCASTSIM]
sim=${1:-build/bin/mcastsim}
. "$(dirname "$0")/../lib/verdict.sh" # $tmp, $fails, verdict
expect() { # expect NAME STATUS EXPECTED-OUTPUT SCENARIO-TEXT
	printf '%s\n' "$4" >"$tmp/s.scn"
	out=$(cd "$tmp" && "$sim" run s.scn 2>&1)
	verdict "$1" "$2" "$3" "$?" "$out"
}
case $sim in /*) ;; *) sim=$(pwd)/$sim ;; esac
topo="link lan
router r1
iface r1 lan lan 10.1.0.1
host h1
iface h1 eth0 lan 10.1.0.10"

expect "a router's setting on a host" 2 "s.scn:6: query-interval: a router's setting, and h1 is a host" \
"$topo
set h1 eth0 query-interval 10s
end 1s"
expect "a bad value" 2 "s.scn:6: query-interval: expected a time such as 125s or 2m, 1 s to 31744 s, not 0" \
"$topo
set r1 lan query-interval 0
end 1s"
expect "an unknown setting" 2 "s.scn:6: unknown setting frobnicate" \
"$topo
set h1 eth0 frobnicate 1
end 1s"
expect "a host's own settings and a router's" 0 "s.scn: 1 expectations, 1 passed, 0 failed" \
"$topo
set h1 eth0 robustness 3
set h1 eth0 force-igmp 2
set r1 lan query-interval 20s
at 1s h1 join eth0 239.1.1.1
expect 5s r1 group lan 239.1.1.1 exclude
end 5s"
echo "sim errors: $((4 - fails)) passed, $fails failed"
[ "$fails" = 0 ]
