/*
 * mcastctl: asks a running mcastd over its control socket (mcastctl(8)).
 *
 * Options may stand anywhere on the line. The answer is framed ("ok LEN"
 * and LEN bytes, or one "error: ..." line; src/daemon/ctlsrv.c): an
 * answer cut short, no answer, or an error exits 1; a usage error 2.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef MCAST_VERSION
#define MCAST_VERSION "unknown"
#endif

/* The commands: what the line may say, with help. */
static const struct command {
	const char *words;   /* the request's fixed words */
	int min_args, max_args;
	const char *args, *help;
} commands[] = {
	{ "show interfaces", 0, 0, "", "interfaces, addresses, queriers, VIFs" },
	{ "show groups", 0, 0, "", "group state per interface (also: show sources)" },
	{ "show sources", 0, 0, "", "the same as show groups" },
	{ "show proxy", 0, 0, "", "each proxy's merged membership upstream" },
	{ "show mfc", 0, 0, "", "the forwarding cache with the kernel's counters" },
	{ "show vifs", 0, 0, "", "the VIFs with the kernel's counters" },
	{ "show kernel", 0, 0, "", "what is installed in the kernel, pending or failing, and why" },
	{ "show stats", 0, 1, "[IFACE]", "counters that are not zero (--all: every one), of one interface or all" },
	{ "join", 2, 3, "IFACE GROUP [SOURCE]", "a membership held by mcastd itself" },
	{ "leave", 2, 3, "IFACE GROUP [SOURCE]", "drops one made with join" },
	{ "show routes", 0, 0, "", "static routes and static groups, from the file or added at run time" },
	{ "route add", 3, 35, "IIF [SOURCE] GROUP OIF...", "a route at run time (kept across reloads)" },
	{ "route del", 2, 3, "IIF [SOURCE] GROUP", "drops one added with route add" },
	{ "static-group add", 2, 3, "IFACE GROUP [SOURCE]", "IFACE forwards GROUP as if a listener were there" },
	{ "static-group del", 2, 3, "IFACE GROUP [SOURCE]", "drops one added with static-group add" },
	{ "explain", 2, 3, "SOURCE GROUP [IFACE]", "why (SOURCE, GROUP) is or is not forwarded out of each interface" },
	{ "metrics", 0, 0, "", "every counter and gauge in the Prometheus text format" },
	{ "watch", 0, 1, "[IFACE]", "events as they happen, a line each, until interrupted (-T: for that long)" },
	{ "audit", 0, 0, "", "compare the kernel's tables with mcastd's now and repair" },
	{ "reload", 0, 0, "", "read the configuration file again (as SIGHUP)" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mcastctl [-S SOCKET] [-T SECONDS] [--json] [--all] COMMAND...\n"
		     "       mcastctl [-S SOCKET] --proc ip_mr_vif|ip_mr_cache|ip6_mr_vif|ip6_mr_cache\n"
		     "       mcastctl --version | --help\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-16s %-21s %s\n", commands[i].words, commands[i].args, commands[i].help);
	fprintf(out, "options may stand anywhere; -S defaults to /run/mcastd.sock, -T (deadline) to 30\n");
}

static const struct command *find_command(char **w, int n, int *used)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", commands[i].words);
		int k = 0;
		bool match = true;
		for (char *s = NULL, *t = strtok_r(buf, " ", &s); t; t = strtok_r(NULL, " ", &s), k++)
			if (k >= n || strcmp(w[k], t)) {
				match = false;
				break;
			}
		if (match) {
			*used = k;
			return &commands[i];
		}
	}
	return NULL;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = { fd, events, 0 };
		int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
}

int main(int argc, char **argv)
{
	const char *sock = "/run/mcastd.sock";
	bool json = false, all = false;
	const char *proc = NULL;
	long timeout_s = 30;
	bool timeout_given = false;
	char *words[48];
	int nw = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-S") || !strcmp(a, "--socket")) && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(a, "-T") && i + 1 < argc) {
			char *end;
			timeout_s = strtol(argv[++i], &end, 10);
			timeout_given = true;
			if (*end || timeout_s < 1 || timeout_s > 86400) {
				fprintf(stderr, "mcastctl: -T: expected seconds from 1 to 86400, not %s\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j") || !strcmp(a, "json")) {
			json = true;
		} else if (!strcmp(a, "--all") || !strcmp(a, "-a")) {
			all = true;
		} else if (!strcmp(a, "--proc") && i + 1 < argc) {
			proc = argv[++i];
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("mcastctl %s\n", MCAST_VERSION);
			return 0;
		} else if (a[0] == '-' && a[1] && !strchr(a, ':') && !strchr(a, '.')) {
			fprintf(stderr, "mcastctl: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else if (nw == (int)(sizeof(words) / sizeof(words[0]))) {
			fprintf(stderr, "mcastctl: too many words\n");
			return 2;
		} else {
			words[nw++] = argv[i];
		}
	}
	char req[1024];
	size_t k = 0;
	if (proc) {
		if (nw) {
			fprintf(stderr, "mcastctl: --proc takes no command (found %s)\n", words[0]);
			return 2;
		}
		k = (size_t)snprintf(req, sizeof(req), "proc %s", proc);
	} else {
		int used = 0;
		const struct command *c = nw ? find_command(words, nw, &used) : NULL;
		if (!c) {
			if (nw)
				fprintf(stderr, "mcastctl: unknown command %s%s%s\n", words[0], nw > 1 ? " " : "",
					nw > 1 ? words[1] : "");
			usage(stderr);
			return 2;
		}
		int nargs = nw - used;
		if (nargs < c->min_args || nargs > c->max_args) {
			fprintf(stderr, "mcastctl: usage: %s %s\n", c->words, c->args);
			return 2;
		}
		for (int i = 0; i < nw && k < sizeof(req); i++)
			k += (size_t)snprintf(req + k, sizeof(req) - k, "%s%s", k ? " " : "", words[i]);
		if (all && k < sizeof(req))
			k += (size_t)snprintf(req + k, sizeof(req) - k, " all");
		if (json && k < sizeof(req))
			k += (size_t)snprintf(req + k, sizeof(req) - k, " json");
	}
	if (k >= sizeof(req) - 1) {
		fprintf(stderr, "mcastctl: request too long\n");
		return 2;
	}
	req[k++] = '\n';
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "mcastctl: socket path too long: %s\n", sock);
		return 2;
	}
	strcpy(sa.sun_path, sock);
	long long deadline = now_ms() + timeout_s * 1000;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		fprintf(stderr, "mcastctl: socket: %s\n", strerror(errno));
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS && errno != EAGAIN) {
		fprintf(stderr, "mcastctl: %s: %s (is mcastd running?)\n", sock, strerror(errno));
		return 1;
	}
	for (size_t off = 0; off < k;) {
		int w = wait_fd(fd, POLLOUT, deadline);
		if (w < 0) {
			fprintf(stderr, "mcastctl: %s: sending: %s\n", sock, strerror(-w));
			return 1;
		}
		ssize_t r = write(fd, req + off, k - off);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			fprintf(stderr, "mcastctl: %s: %s\n", sock, strerror(errno));
			return 1;
		}
		off += (size_t)r;
	}
	/* The status line, then (for ok) exactly LEN bytes and the end. */
	char head[256];
	size_t hl = 0;
	unsigned long long want = 0, got = 0;
	bool have_head = false, ok = false, stream = false;
	static char buf[65536];
	for (;;) {
		int w = wait_fd(fd, POLLIN, deadline);
		if (w == -ETIMEDOUT && stream) {
			fflush(stdout);
			return 0; /* watched for -T seconds */
		}
		if (w < 0) {
			fprintf(stderr, "mcastctl: %s: no whole answer within %ld s (%s)\n", sock, timeout_s,
				strerror(-w));
			return 1;
		}
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			fprintf(stderr, "mcastctl: %s: %s\n", sock, strerror(errno));
			return 1;
		}
		if (r == 0)
			break;
		size_t off = 0;
		while (!have_head && off < (size_t)r) {
			char ch = buf[off++];
			if (ch == '\n') {
				head[hl] = '\0';
				have_head = true;
				char *end;
				if (!strcmp(head, "ok stream")) {
					/* watch: lines until the end (or -T seconds) */
					stream = ok = true;
					deadline = timeout_given ? now_ms() + timeout_s * 1000 : (long long)1 << 62;
				} else if (!strncmp(head, "ok ", 3) && (want = strtoull(head + 3, &end, 10), !*end)) {
					ok = true;
				} else if (!strncmp(head, "error: ", 7)) {
					fprintf(stderr, "mcastctl: %s\n", head + 7);
					return 1;
				} else {
					fprintf(stderr, "mcastctl: %s: not an answer: %.80s\n", sock, head);
					return 1;
				}
			} else if (hl < sizeof(head) - 1) {
				head[hl++] = ch;
			}
		}
		size_t body = (size_t)r - off;
		if (stream) {
			fwrite(buf + off, 1, body, stdout);
			fflush(stdout);
			continue;
		}
		if (ok && body) {
			if (got + body > want) {
				fprintf(stderr, "mcastctl: %s: answer longer than announced (%llu bytes)\n", sock, want);
				return 1;
			}
			fwrite(buf + off, 1, body, stdout);
			got += body;
		}
	}
	close(fd);
	if (stream) {
		fprintf(stderr, "mcastctl: mcastd ended the stream\n");
		return 1;
	}
	if (!have_head) {
		fprintf(stderr, "mcastctl: no answer from %s\n", sock);
		return 1;
	}
	if (got != want) {
		fflush(stdout);
		fprintf(stderr, "mcastctl: answer cut short: %llu of %llu bytes\n", got, want);
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mcastctl: writing the answer: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
