/*
 * mcastctl: asks a running mcastd over its control socket.
 *
 *   mcastctl [-S SOCKET] [--json] show interfaces|groups|sources|proxy|mfc|vifs|stats
 *   mcastctl [-S SOCKET] --proc ip_mr_vif|ip_mr_cache|ip6_mr_vif|ip6_mr_cache
 *   mcastctl [-S SOCKET] join|leave IFACE GROUP [SOURCE]
 *   mcastctl [-S SOCKET] reload
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: mcastctl [-S SOCKET] [--json] show interfaces|groups|sources|proxy|mfc|vifs|stats\n"
		     "       mcastctl [-S SOCKET] --proc ip_mr_vif|ip_mr_cache|ip6_mr_vif|ip6_mr_cache\n"
		     "       mcastctl [-S SOCKET] join|leave IFACE GROUP [SOURCE]\n"
		     "       mcastctl [-S SOCKET] reload\n");
}

int main(int argc, char **argv)
{
	const char *sock = "/run/mcastd.sock";
	bool json = false;
	const char *proc = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-S") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else if (!strcmp(argv[i], "--proc") && i + 1 < argc)
			proc = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	char req[512];
	size_t k = 0;
	if (proc) {
		if (i != argc) {
			usage(stderr);
			return 2;
		}
		k = (size_t)snprintf(req, sizeof(req), "proc %s", proc);
	} else {
		if (i == argc) {
			usage(stderr);
			return 2;
		}
		for (; i < argc && k < sizeof(req); i++)
			k += (size_t)snprintf(req + k, sizeof(req) - k, "%s%s", k ? " " : "", argv[i]);
		if (json && k < sizeof(req))
			k += (size_t)snprintf(req + k, sizeof(req) - k, " json");
	}
	if (k >= sizeof(req) - 1) {
		fprintf(stderr, "mcastctl: request too long\n");
		return 2;
	}
	req[k++] = '\n';
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "mcastctl: socket path too long: %s\n", sock);
		return 2;
	}
	strcpy(sa.sun_path, sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "mcastctl: %s: %s (is mcastd running?)\n", sock, strerror(errno));
		return 1;
	}
	if (write(fd, req, k) != (ssize_t)k) {
		fprintf(stderr, "mcastctl: %s: %s\n", sock, strerror(errno));
		return 1;
	}
	/* The answer: "ok" or "error: ..." first, then the body. */
	char buf[65536];
	size_t got = 0;
	bool first = true, ok = false;
	for (;;) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
		if (first) {
			char *nl = strchr(buf, '\n');
			if (!nl && got < sizeof(buf) - 1)
				continue;
			if (nl)
				*nl = '\0';
			ok = !strcmp(buf, "ok");
			if (!ok)
				fprintf(stderr, "mcastctl: %s\n", !strncmp(buf, "error: ", 7) ? buf + 7 : buf);
			first = false;
			size_t rest = nl ? got - (size_t)(nl + 1 - buf) : 0;
			if (ok && rest)
				fwrite(nl + 1, 1, rest, stdout);
			got = 0;
			continue;
		}
		if (ok)
			fwrite(buf, 1, got, stdout);
		got = 0;
	}
	if (first) {
		fprintf(stderr, "mcastctl: no answer from %s\n", sock);
		return 1;
	}
	close(fd);
	return ok ? 0 : 1;
}
