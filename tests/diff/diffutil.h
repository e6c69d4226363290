/*
 * What the differential tests (tests/diff) share: entering network
 * namespaces, running ip(8), sysctls, time, an interface's link-local
 * address, and sending an IP datagram in an Ethernet frame.
 */
#ifndef MCAST_DIFFUTIL_H
#define MCAST_DIFFUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mcast/core.h"

static const char *diff_prog = "diff";

static inline void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static inline void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", diff_prog);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static inline void enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0)
		die("setns: %s", strerror(errno));
}

static inline int open_ns(const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "/run/netns/%s", name);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", p, strerror(errno));
	return fd;
}

static inline void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		die("failed: %s", cmd);
}

static inline void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(val, f) < 0 || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static inline mcast_time_ms now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (mcast_time_ms)ts.tv_sec * 1000 + (mcast_time_ms)ts.tv_nsec / 1000000;
}

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The interface's IPv6 link-local address, in the current namespace;
 * waits up to 2 s for it to appear (it comes with the carrier). */
static inline struct mcast_addr link_local(const char *ifname)
{
	for (int tries = 0; tries < 200; tries++) {
		char line[256];
		FILE *f = fopen("/proc/net/if_inet6", "r");
		while (f && fgets(line, sizeof(line), f)) {
			char hex[33], name[32];
			unsigned idx, plen, scope, flags;
			if (sscanf(line, "%32s %x %x %x %x %31s", hex, &idx, &plen, &scope, &flags, name) == 6 &&
			    !strcmp(name, ifname) && scope == 0x20) {
				struct mcast_addr a;
				for (int k = 0; k < 16; k++) {
					unsigned b;
					sscanf(hex + 2 * k, "%2x", &b);
					a.b[k] = (uint8_t)b;
				}
				fclose(f);
				return a;
			}
		}
		if (f)
			fclose(f);
		sleep_ms(10);
	}
	die("%s has no IPv6 link-local address", ifname);
}

/* An IP datagram out of a packet socket, in an Ethernet frame to the
 * destination's multicast MAC (RFC 1112 6.4, RFC 2464 7) from mac. */
static inline void send_frame(int fd, const uint8_t mac[6], const uint8_t *pkt, size_t len)
{
	uint8_t frame[2048];
	if (len + 14 > sizeof(frame) || len < 20)
		die("a frame too long or short (%zu)", len);
	bool v4 = (pkt[0] >> 4) == 4;
	const uint8_t *d = v4 ? pkt + 16 : pkt + 24;
	if (v4) {
		uint8_t m[6] = { 0x01, 0x00, 0x5e, (uint8_t)(d[1] & 0x7f), d[2], d[3] };
		memcpy(frame, m, 6);
	} else {
		uint8_t m[6] = { 0x33, 0x33, d[12], d[13], d[14], d[15] };
		memcpy(frame, m, 6);
	}
	memcpy(frame + 6, mac, 6);
	frame[12] = v4 ? 0x08 : 0x86;
	frame[13] = v4 ? 0x00 : 0xdd;
	memcpy(frame + 14, pkt, len);
	if (send(fd, frame, len + 14, 0) < 0)
		die("sending a frame: %s", strerror(errno));
}

#endif
