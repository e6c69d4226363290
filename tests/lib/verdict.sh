# Shared by the scripts that run a program on a file and compare its exit
# status and output with what is expected (tests/daemon/config.sh,
# tests/sim/errors.sh). Source it: it makes a directory $tmp, removed on
# exit, and counts failures in $fails.
#   verdict NAME WANT-STATUS WANT-OUTPUT GOT-STATUS GOT-OUTPUT
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
verdict() {
	if [ "$4" != "$2" ] || [ "$5" != "$3" ]; then
		echo "FAIL $1: status $4, output:"
		echo "$5" | sed 's/^/    /'
		echo "  expected status $2, output:"
		echo "$3" | sed 's/^/    /'
		fails=$((fails + 1))
	else
		echo "ok   $1"
	fi
}
