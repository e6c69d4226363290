#!/bin/sh
# The Debian packages (debian/): build them from a clean copy of the tree
# with dpkg-buildpackage, check them with lintian (no errors), install
# them, run what they ship (mcastd -t on the shipped /etc/mcastd.conf,
# mcastctl --version, a program built against libmcast-dev through
# pkg-config, the mcastd system user), then purge them and check that
# nothing is left. Needs root (dpkg -i); exits 77 without it.
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "tests/pkg/deb.sh: SKIPPED: installing packages needs root"
	exit 77
fi
for p in mcastd libmcast0 libmcast-dev mcast-tools; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		echo "tests/pkg/deb.sh: $p is installed already; refusing to replace it" >&2
		exit 1
	fi
done
work=$(mktemp -d /tmp/mcast-deb.XXXXXX)
installed=0
fails=0
cleanup() {
	if [ "$installed" = 1 ]; then
		dpkg --purge mcastd mcast-tools libmcast-dev libmcast0 >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
ok() { echo "  ok: $1"; }
bad() { echo "  FAIL: $1"; fails=$((fails + 1)); }
version=$(sed -n 's/^project(mcast VERSION \([0-9.]*\).*/\1/p' "$here/CMakeLists.txt")

# A clean copy: the files git knows (or the tree without build output).
mkdir "$work/src"
if git -C "$here" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$here" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$work/src")
else
	(cd "$here" && tar --exclude='./build*' --exclude=./.git -cf - .) | tar -C "$work/src" -xf -
fi

echo "building the packages (dpkg-buildpackage -us -uc -b; unit tests ran before)"
if ! (cd "$work/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	tail -40 "$work/build.log"
	echo "tests/pkg/deb.sh: dpkg-buildpackage failed" >&2
	exit 1
fi
ok "dpkg-buildpackage -us -uc -b"
changes=$(ls "$work"/mcast_*.changes)
for p in mcastd libmcast0 libmcast-dev mcast-tools; do
	[ -f "$work/${p}_${version}_$(dpkg --print-architecture).deb" ] && ok "built $p $version" || bad "no $p package"
done
if grep -q 'dpkg-gensymbols: warning' "$work/build.log"; then
	bad "the symbols file differs from the library's exports:"
	grep -A20 'dpkg-gensymbols: warning' "$work/build.log" | head -30
else
	ok "debian/libmcast0.symbols lists exactly the library's exports"
fi
if lintian --fail-on error "$changes" >"$work/lintian.log" 2>"$work/lintian.err"; then
	ok "lintian: no errors ($(grep -c '^W:' "$work/lintian.log") warnings)"
	sed 's/^/    /' "$work/lintian.log"
else
	bad "lintian reports errors:"
	cat "$work/lintian.log" "$work/lintian.err"
fi

arch=$(dpkg --print-architecture)
debs=""
for p in libmcast0 libmcast-dev mcastd mcast-tools; do debs="$debs $work/${p}_${version}_$arch.deb"; done
# shellcheck disable=SC2086
if dpkg -i $debs >"$work/install.log" 2>&1; then
	installed=1
	ok "dpkg -i mcastd libmcast0 libmcast-dev mcast-tools"
else
	installed=1
	cat "$work/install.log"
	bad "dpkg -i failed"
	exit 1
fi

[ -f /etc/mcastd.conf ] && ok "/etc/mcastd.conf shipped" || bad "no /etc/mcastd.conf"
dpkg-query -W -f='${Conffiles}\n' mcastd | grep -q '/etc/mcastd.conf' &&
	ok "/etc/mcastd.conf is a conffile" || bad "/etc/mcastd.conf is not a conffile"
out=$(/usr/sbin/mcastd -t -f /etc/mcastd.conf 2>&1) && ok "installed mcastd -t on the shipped config: $out" ||
	bad "mcastd -t refuses the shipped config: $out"
out=$(/usr/bin/mcastctl --version 2>&1)
case "$out" in *"$version"*) ok "installed mcastctl --version: $out" ;; *) bad "mcastctl --version said: $out" ;; esac
getent passwd mcastd >/dev/null && ok "postinst made the system user mcastd" || bad "no user mcastd"
uid=$(id -u mcastd 2>/dev/null || echo 0)
[ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] && ok "mcastd is a system user (uid $uid)" || bad "mcastd uid $uid is not a system uid"
[ -f /lib/systemd/system/mcastd.service ] && ok "systemd unit installed" || bad "no mcastd.service"
for m in mcastd.8 mcastctl.8 mcastd.conf.5 mcastsim.1 mcastdump.1 mcast-vectors.1; do
	s=${m##*.}
	[ -f "/usr/share/man/man$s/$m.gz" ] || bad "no man page $m"
done
ok "man pages installed"
out=$(mcastsim run "$here/examples/demo.scn" 2>&1 | tail -1) && ok "installed mcastsim runs the demo: $out" ||
	bad "installed mcastsim on the demo: $out"

# libmcast-dev: a program built only from the installed headers and
# pkg-config, run against the installed shared library.
cat >"$work/app.c" <<'EOC'
#include <stdio.h>
#include <mcast/host.h>
int main(void)
{
	struct mcast_wheel w;
	mcast_wheel_init(&w, 0);
	struct mcast_host_env env = { .al = &mcast_alloc_libc, .wheel = &w };
	struct mcast_host_config c;
	mcast_host_config_default(&c, MCAST_AF_INET);
	struct mcast_host *h = mcast_host_create(&env, &c, MCAST_AF_INET);
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	struct mcast_addr a, g;
	if (!h || mcast_addr_parse(&a, "192.0.2.1") < 0 || mcast_addr_parse(&g, "232.1.1.1") < 0 ||
	    mcast_host_iface_add(h, 1, "eth0", &a, &ic) < 0)
		return 1;
	struct mcast_host_sock *s = mcast_host_socket(h);
	int rc = mcast_host_join_source(h, s, 1, &g, &a);
	printf("join_source %d member %d\n", rc, mcast_host_iface_state(h, 1, &g, NULL, NULL, 0, NULL) == 0);
	mcast_host_destroy(h);
	return rc;
}
EOC
# shellcheck disable=SC2046 # pkg-config prints several words
if cc -Wall -Werror -o "$work/app" "$work/app.c" $(pkg-config --cflags --libs mcast) 2>"$work/cc.log"; then
	out=$("$work/app" 2>&1)
	[ "$out" = "join_source 0 member 1" ] && ok "a program built with pkg-config mcast runs: $out" ||
		bad "the libmcast-dev program said: $out"
	ldd "$work/app" | grep -q '/libmcast.so.0 ' && ok "it uses the installed libmcast.so.0" ||
		bad "not linked against libmcast.so.0: $(ldd "$work/app")"
else
	cat "$work/cc.log"
	bad "building against libmcast-dev failed"
fi
# shellcheck disable=SC2046
cc -static -o "$work/app-static" "$work/app.c" $(pkg-config --cflags mcast) /usr/lib/*/libmcast.a 2>"$work/cc.log" &&
	[ "$("$work/app-static")" = "join_source 0 member 1" ] && ok "the same against libmcast.a" ||
	bad "static build against libmcast.a: $(cat "$work/cc.log")"

# examples/lwip as its README says: the installed libmcast-dev and
# Debian's liblwip-dev, nothing from this tree but the example's files.
cp -r "$here/examples/lwip" "$work/lwip"
rm -f "$work"/lwip/*.o "$work/lwip/lwip-mcast"
if make -s -C "$work/lwip" >"$work/lwip.log" 2>&1 && [ -x "$work/lwip/lwip-mcast" ]; then
	ldd "$work/lwip/lwip-mcast" | grep -q '/libmcast.so.0 ' && ldd "$work/lwip/lwip-mcast" | grep -q 'liblwip.so' &&
		ok "examples/lwip builds against the installed libmcast-dev and liblwip-dev" ||
		bad "examples/lwip is not linked against the installed libraries"
else
	cat "$work/lwip.log"
	bad "examples/lwip does not build against the installed packages"
fi

dpkg --purge mcastd mcast-tools libmcast-dev libmcast0 >"$work/purge.log" 2>&1 && ok "dpkg --purge" ||
	{ cat "$work/purge.log"; bad "dpkg --purge failed"; }
installed=0
left=""
for f in /etc/mcastd.conf /usr/sbin/mcastd /usr/bin/mcastctl /usr/include/mcast /lib/systemd/system/mcastd.service; do
	[ -e "$f" ] && left="$left $f"
done
ls /usr/lib/*/libmcast.so* >/dev/null 2>&1 && left="$left libmcast.so"
getent passwd mcastd >/dev/null && left="$left user:mcastd"
getent group mcastd >/dev/null && left="$left group:mcastd"
[ -z "$left" ] && ok "nothing left after purge" || bad "left after purge:$left"

if [ "$fails" -gt 0 ]; then
	echo "tests/pkg/deb.sh: $fails failed"
	exit 1
fi
echo "tests/pkg/deb.sh: all passed"
