/*
 * mcjoin - drive the Linux kernel's multicast socket API from a script,
 * so that namespace tests and capture scripts use real hosts.
 *
 *   mcjoin -i IFACE STEP...
 *
 * Steps run in order on one socket per family (RFC 3678 protocol-
 * independent API, so IPv4 and IPv6 take the same calls):
 *   join G              MCAST_JOIN_GROUP (ASM)
 *   leave G             MCAST_LEAVE_GROUP
 *   sjoin G S           MCAST_JOIN_SOURCE_GROUP
 *   sleave G S          MCAST_LEAVE_SOURCE_GROUP
 *   block G S           MCAST_BLOCK_SOURCE
 *   unblock G S         MCAST_UNBLOCK_SOURCE
 *   filter G include|exclude [S,S,...]   setsourcefilter()
 *   sleep MS
 * Errors name the step and the errno text; the exit status is 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned ifindex;
static int sock4 = -1, sock6 = -1;

static void die(const char *step, const char *arg)
{
	fprintf(stderr, "mcjoin: %s %s: %s\n", step, arg ? arg : "", strerror(errno));
	exit(1);
}

static void addr(const char *s, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		return;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		return;
	}
	fprintf(stderr, "mcjoin: bad address %s\n", s);
	exit(2);
}

static int sock_for(int family)
{
	int *s = family == AF_INET ? &sock4 : &sock6;
	if (*s < 0) {
		*s = socket(family, SOCK_DGRAM, 0);
		if (*s < 0)
			die("socket", NULL);
	}
	return *s;
}

static int level_of(int family)
{
	return family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (argc < 3 || strcmp(argv[1], "-i") != 0) {
		fprintf(stderr, "usage: mcjoin -i IFACE STEP...\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "mcjoin: no interface %s\n", argv[2]);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		const char *op = argv[i];
		if (!strcmp(op, "sleep") && i + 1 < argc) {
			long ms = atol(argv[++i]);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (i + 1 >= argc)
			break;
		struct sockaddr_storage g;
		addr(argv[++i], &g);
		int fam = g.ss_family, s = sock_for(fam);
		if (!strcmp(op, "join") || !strcmp(op, "leave")) {
			struct group_req r = { .gr_interface = ifindex };
			r.gr_group = g;
			if (setsockopt(s, level_of(fam), !strcmp(op, "join") ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP,
				       &r, sizeof(r)) < 0)
				die(op, argv[i]);
		} else if (!strcmp(op, "sjoin") || !strcmp(op, "sleave") || !strcmp(op, "block") ||
			   !strcmp(op, "unblock")) {
			if (i + 1 >= argc)
				break;
			struct group_source_req r = { .gsr_interface = ifindex };
			r.gsr_group = g;
			addr(argv[++i], &r.gsr_source);
			int opt = !strcmp(op, "sjoin")    ? MCAST_JOIN_SOURCE_GROUP
				  : !strcmp(op, "sleave") ? MCAST_LEAVE_SOURCE_GROUP
				  : !strcmp(op, "block")  ? MCAST_BLOCK_SOURCE
							  : MCAST_UNBLOCK_SOURCE;
			if (setsockopt(s, level_of(fam), opt, &r, sizeof(r)) < 0)
				die(op, argv[i]);
		} else if (!strcmp(op, "filter")) {
			if (i + 1 >= argc)
				break;
			const char *mode = argv[++i];
			struct sockaddr_storage list[64];
			unsigned n = 0;
			if (i + 1 < argc && strchr(argv[i + 1], ',') != NULL) {
				char *dup = strdup(argv[++i]), *save = NULL;
				for (char *t = strtok_r(dup, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
					addr(t, &list[n++]);
				free(dup);
			} else if (i + 1 < argc && (strchr(argv[i + 1], '.') || strchr(argv[i + 1], ':'))) {
				addr(argv[++i], &list[n++]);
			}
			uint32_t fmode = !strcmp(mode, "include") ? MCAST_INCLUDE : MCAST_EXCLUDE;
			socklen_t glen = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
			if (setsourcefilter(s, ifindex, (struct sockaddr *)&g, glen, fmode, n, list) < 0)
				die(op, mode);
		} else {
			fprintf(stderr, "mcjoin: unknown step %s\n", op);
			return 2;
		}
	}
	return 0;
}
