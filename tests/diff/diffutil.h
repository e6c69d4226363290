/*
 * What the differential tests (tests/diff) share: entering network
 * namespaces, running ip(8), sysctls, time, an interface's link-local
 * address, and sending an IP datagram in an Ethernet frame.
 */
#ifndef MCAST_DIFFUTIL_H
#define MCAST_DIFFUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <linux/if_ether.h>
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

/* 32 hex digits (as /proc prints IPv6 addresses) into an address. */
static inline void hex_addr(const char *hex, struct mcast_addr *a)
{
	for (int k = 0; k < 16; k++) {
		unsigned b = 0;
		sscanf(hex + 2 * k, "%2x", &b);
		a->b[k] = (uint8_t)b;
	}
}

/* The next line of text at *p into line (cut to its size); false at the end. */
static inline bool next_line(const char **p, char *line, size_t size)
{
	if (!*p || !**p)
		return false;
	const char *e = strchr(*p, '\n');
	size_t l = e ? (size_t)(e - *p) : strlen(*p);
	if (l >= size)
		l = size - 1;
	memcpy(line, *p, l);
	line[l] = '\0';
	*p = e ? e + 1 : NULL;
	return true;
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
				hex_addr(hex, &a);
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

/* What both programs take on the command line. */
struct diff_opts {
	int fam;
	uint64_t seed;
	int seqs, steps;
	bool verbose, flag;
	const char *ns[2];
};

/*
 * -4|-6 --NAME0 NS --NAME1 NS [--FLAG] [--seed S] [--seqs N] [--steps M]
 * [-v]; dies with the usage line on anything else. flag may be NULL.
 */
static inline void diff_options(int argc, char **argv, const char *name0, const char *name1, const char *flag,
				int maxsteps, struct diff_opts *o)
{
	const struct option opts[] = {
		{ name0, required_argument, NULL, 'a' }, { name1, required_argument, NULL, 'b' },
		{ flag ? flag : "-", no_argument, NULL, 'f' }, { "seed", required_argument, NULL, 's' },
		{ "seqs", required_argument, NULL, 'n' }, { "steps", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	*o = (struct diff_opts){ .fam = 4, .seed = 1, .seqs = 4, .steps = 20 };
	int c;
	while ((c = getopt_long(argc, argv, "46v", opts, NULL)) != -1) {
		switch (c) {
		case '4':
		case '6':
			o->fam = c - '0';
			break;
		case 'a':
		case 'b':
			o->ns[c - 'a'] = optarg;
			break;
		case 'f':
			o->flag = true;
			break;
		case 's':
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			o->seqs = atoi(optarg);
			break;
		case 'm':
			o->steps = atoi(optarg);
			break;
		case 'v':
			o->verbose = true;
			break;
		default:
			o->steps = -1;
		}
	}
	if (!o->ns[0] || !o->ns[1] || o->steps < 1 || o->steps > maxsteps || o->seqs < 1 || optind != argc)
		die("usage: %s -4|-6 --%s NS --%s NS%s%s%s [--seed S] [--seqs N] [--steps M] [-v]", diff_prog, name0, name1,
		    flag ? " [--" : "", flag ? flag : "", flag ? "]" : "");
}

/*
 * The shortest sequence that still differs: the prefix up to the first
 * difference (v[0..n) ends there), then every step that can go removed
 * one at a time. run(ctx, steps, count) returns the step that differs
 * or -1. Returns the new length; v is rewritten in place.
 */
static inline int diff_shrink(void *v, int n, size_t size, int (*run)(void *ctx, const void *steps, int n),
			      void *ctx)
{
	uint8_t *t = malloc((size_t)n * size);
	if (!t)
		die("out of memory");
	for (int i = n - 2; i >= 0; i--) {
		int m = 0;
		for (int k = 0; k < n; k++)
			if (k != i)
				memcpy(t + (size_t)m++ * size, (uint8_t *)v + (size_t)k * size, size);
		int b = run(ctx, t, m);
		if (b >= 0) {
			memcpy(v, t, (size_t)(b + 1) * size);
			n = b + 1;
			if (i > n - 1)
				i = n - 1;
		}
	}
	free(t);
	return n;
}

/* What a program gives the sequence loop. */
struct diff_prog_ops {
	const char *label;      /* "hostdiff IPv4", "rtdiff IPv6 querier" */
	size_t step_size;
	uint64_t seed_mul, seed_add; /* the generator's seed: seed * mul + add */
	void (*gen)(struct mcast_rng *r, void *steps, int n);
	/* runs steps on both sides: the first that differs, or -1; with
	 * report, prints what differs */
	int (*run)(const void *steps, int n, bool report);
	void (*print)(FILE *out, const void *step);
	void (*begin)(uint64_t seed); /* a sequence starts (may be NULL) */
	/* the named allowed differences and how often each was applied */
	const char *const *rule_names;
	const unsigned long *rule_hits;
	int nrules;
};

/* This process's own network namespace (to come back to). */
static inline int diff_self_ns(void)
{
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("/proc/self/ns/net: %s", strerror(errno));
	return fd;
}

static inline int diff_run_for_shrink(void *ctx, const void *steps, int n)
{
	const struct diff_prog_ops *ops = ctx;
	return ops->run(steps, n, false);
}

/*
 * Runs o->seqs sequences of o->steps: each that agrees is "ok"; one that
 * differs is run again (the kernel's side runs in real time: a timer can
 * once land across a class boundary) and, when it differs again, shrunk
 * and printed with what differs. Prints the summary line with each
 * rule's count; returns the sequences that differ.
 */
static inline int diff_sequences(const struct diff_opts *o, const struct diff_prog_ops *ops,
				 const unsigned long *steps_compared)
{
	int failed = 0, unrepeatable = 0;
	uint8_t *v = malloc((size_t)o->steps * ops->step_size);
	if (!v)
		die("out of memory");
	for (int q = 0; q < o->seqs; q++) {
		uint64_t sd = o->seed + (uint64_t)q;
		struct mcast_rng r;
		mcast_rng_seed(&r, sd * ops->seed_mul + ops->seed_add);
		if (ops->begin)
			ops->begin(sd);
		ops->gen(&r, v, o->steps);
		int b = ops->run(v, o->steps, false);
		if (b < 0) {
			printf("ok   %s sequence %llu: %d steps agree\n", ops->label, (unsigned long long)sd, o->steps);
			continue;
		}
		if (ops->run(v, o->steps, false) < 0) {
			unrepeatable++;
			printf("note %s sequence %llu: a difference at step %d did not show again (timing)\n", ops->label,
			       (unsigned long long)sd, b + 1);
			continue;
		}
		failed++;
		int n = diff_shrink(v, b + 1, ops->step_size, diff_run_for_shrink, (void *)ops);
		printf("FAIL %s sequence %llu differs at step %d; shortest reproducer, %d steps:\n", ops->label,
		       (unsigned long long)sd, b + 1, n);
		for (int i = 0; i < n; i++) {
			printf("  %d. ", i + 1);
			ops->print(stdout, v + (size_t)i * ops->step_size);
			printf("\n");
		}
		ops->run(v, n, true);
	}
	free(v);
	printf("%s: %d sequences, %lu steps compared, %d differ, %d did not repeat; rules applied:", ops->label, o->seqs,
	       *steps_compared, failed, unrepeatable);
	for (int i = 0; i < ops->nrules; i++)
		printf(" %s %lu", ops->rule_names[i], ops->rule_hits[i]);
	printf("\n");
	return failed;
}

/* Prints a title and lines, indented, for a difference's report. */
static inline void print_lines(const char *title, const char *const *lines, int n)
{
	printf("    %s:\n", title);
	for (int k = 0; k < n; k++)
		printf("      %s\n", lines[k]);
}

/* A packet socket on the interface (current namespace), its MAC in mac. */
static inline int packet_socket(const char *ifname, int flags, uint8_t mac[6])
{
	unsigned ifi = if_nametoindex(ifname);
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | flags, htons(ETH_P_ALL));
	if (!ifi || fd < 0)
		die("packet socket on %s: %s", ifname, strerror(errno));
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ifi };
	if (bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		die("bind a packet socket to %s: %s", ifname, strerror(errno));
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return fd;
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
