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
 *   recv MS             receive for MS ms on the socket(s) above, which
 *                       with -p are bound to PORT and take only what
 *                       their own filters admit (IP_MULTICAST_ALL off);
 *                       prints "SOURCE GROUP COUNT" lines, sorted
 *   first MS            waits up to MS ms for the first datagram; prints
 *                       "first T" (ms since the step before it ended)
 *   leavetime G MS      leaves G (IPv4) and watches the interface (a
 *                       packet socket sees frames whatever the sockets
 *                       want) for MS ms; prints "leave T": ms from the
 *                       leave call to the last datagram to G that arrived
 *   send G FROM N MS    N datagrams to G:PORT from address FROM, one
 *                       every MS ms, TTL/hop limit 16, out of IFACE
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
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static unsigned ifindex;
static int sock4 = -1, sock6 = -1;
static int port = 0;

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
		if (port) {
			int zero = 0, one = 1;
			setsockopt(*s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			if (family == AF_INET) {
				struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
				if (setsockopt(*s, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
				    bind(*s, (struct sockaddr *)&a, sizeof(a)) < 0)
					die("bind", NULL);
			} else {
				struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
				setsockopt(*s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
				if (setsockopt(*s, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
				    bind(*s, (struct sockaddr *)&a, sizeof(a)) < 0)
					die("bind", NULL);
			}
		}
	}
	return *s;
}

struct tally {
	char src[64], grp[64];
	unsigned long n;
};

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	int c = strcmp(x->src, y->src);
	return c ? c : strcmp(x->grp, y->grp);
}

/* Counts datagrams per (source, group) on the open sockets for ms. */
static void do_recv(long ms)
{
	static struct tally t[256];
	unsigned nt = 0;
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	int one = 1;
	if (sock4 >= 0)
		setsockopt(sock4, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	if (sock6 >= 0)
		setsockopt(sock6, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			break;
		fd_set rf;
		FD_ZERO(&rf);
		int maxfd = -1;
		if (sock4 >= 0) {
			FD_SET(sock4, &rf);
			maxfd = sock4;
		}
		if (sock6 >= 0) {
			FD_SET(sock6, &rf);
			maxfd = sock6 > maxfd ? sock6 : maxfd;
		}
		struct timeval tv = { left / 1000, (left % 1000) * 1000 };
		if (maxfd < 0 || select(maxfd + 1, &rf, NULL, NULL, &tv) <= 0)
			continue;
		for (int k = 0; k < 2; k++) {
			int s = k ? sock6 : sock4;
			if (s < 0 || !FD_ISSET(s, &rf))
				continue;
			char buf[2048], cb[256];
			struct sockaddr_storage from;
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
					     .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof(cb) };
			if (recvmsg(s, &mh, 0) < 0)
				continue;
			char src[64] = "?", grp[64] = "?";
			if (from.ss_family == AF_INET)
				inet_ntop(AF_INET, &((struct sockaddr_in *)&from)->sin_addr, src, sizeof(src));
			else
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&from)->sin6_addr, src, sizeof(src));
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
				if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
					inet_ntop(AF_INET, &((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr, grp, sizeof(grp));
				if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
					inet_ntop(AF_INET6, &((struct in6_pktinfo *)CMSG_DATA(c))->ipi6_addr, grp, sizeof(grp));
			}
			unsigned j;
			for (j = 0; j < nt; j++)
				if (!strcmp(t[j].src, src) && !strcmp(t[j].grp, grp))
					break;
			if (j == nt && nt < 256) {
				snprintf(t[nt].src, sizeof(t[nt].src), "%s", src);
				snprintf(t[nt].grp, sizeof(t[nt].grp), "%s", grp);
				t[nt++].n = 0;
			}
			if (j < nt)
				t[j].n++;
		}
	}
	qsort(t, nt, sizeof(t[0]), cmp_tally);
	for (unsigned j = 0; j < nt; j++)
		printf("%s %s %lu\n", t[j].src, t[j].grp, t[j].n);
	fflush(stdout);
}

static void do_send(const struct sockaddr_storage *g, const struct sockaddr_storage *from, long n, long ms)
{
	int fam = g->ss_family;
	int s = socket(fam, SOCK_DGRAM, 0), ttl = 16;
	if (s < 0)
		die("socket", NULL);
	struct sockaddr_storage src = *from, dst = *g;
	socklen_t len = fam == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	if (fam == AF_INET) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex };
		((struct sockaddr_in *)&dst)->sin_port = htons((uint16_t)port);
		if (setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
		    setsockopt(s, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0)
			die("send", "options");
	} else {
		((struct sockaddr_in6 *)&dst)->sin6_port = htons((uint16_t)port);
		if (setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
		    setsockopt(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			die("send", "options");
	}
	if (bind(s, (struct sockaddr *)&src, len) < 0)
		die("send", "bind to the source address");
	for (long k = 0; k < n; k++) {
		char msg[32];
		int l = snprintf(msg, sizeof(msg), "mcast %ld", k);
		if (sendto(s, msg, (size_t)l, 0, (struct sockaddr *)&dst, len) < 0)
			die("send", NULL);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
		if (k + 1 < n)
			nanosleep(&ts, NULL);
	}
	close(s);
}

static struct timespec step_end;

static double ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* first: the time to the first datagram, and (IPv4) when our kernel sent
 * its report, seen on a packet socket opened before the join. */
static int watch_fd = -1;
static struct timespec watch_t0;

static void do_first(long ms)
{
	int s = sock4 >= 0 ? sock4 : sock6;
	double report = -1;
	struct timespec t0;
	/* datagrams queued before this step (a previous trial's stream
	 * until its leave) are not the first of this one */
	char junk[2048];
	while (recv(s, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		double left = (double)ms - ms_since(&t0);
		if (left <= 0) {
			printf("first none\n");
			break;
		}
		fd_set rf;
		FD_ZERO(&rf);
		FD_SET(s, &rf);
		if (watch_fd >= 0)
			FD_SET(watch_fd, &rf);
		struct timeval tv = { (long)left / 1000, ((long)left % 1000) * 1000 };
		if (select((s > watch_fd ? s : watch_fd) + 1, &rf, NULL, NULL, &tv) <= 0)
			continue;
		if (watch_fd >= 0 && FD_ISSET(watch_fd, &rf)) {
			uint8_t b[2048];
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(watch_fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
			/* we are waiting in select: the time we read it is when it went */
			if (report < 0 && n >= 20 && from.sll_protocol == htons(ETH_P_IP) && b[9] == IPPROTO_IGMP &&
			    from.sll_pkttype == PACKET_OUTGOING)
				report = ms_since(&watch_t0);
		}
		if (!FD_ISSET(s, &rf))
			continue;
		char buf[2048];
		recv(s, buf, sizeof(buf), 0);
		if (report >= 0) {
			double t = ms_since(&watch_t0);
			printf("first %.3f report %.3f after-report %.3f\n", t, report, t - report);
		} else {
			printf("first %.3f\n", ms_since(&step_end));
		}
		break;
	}
	fflush(stdout);
	if (watch_fd >= 0)
		close(watch_fd);
	watch_fd = -1;
}

static void do_leavetime(const struct sockaddr_storage *g, long ms)
{
	int p = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_ifindex = (int)ifindex };
	if (p < 0 || bind(p, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		die("leavetime", "packet socket");
	struct group_req r = { .gr_interface = ifindex, .gr_group = *g };
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (setsockopt(sock4, IPPROTO_IP, MCAST_LEAVE_GROUP, &r, sizeof(r)) < 0)
		die("leavetime", "leave");
	uint32_t want = ((const struct sockaddr_in *)g)->sin_addr.s_addr;
	double last = 0;
	for (;;) {
		double left = (double)ms - ms_since(&t0);
		if (left <= 0)
			break;
		fd_set rf;
		FD_ZERO(&rf);
		FD_SET(p, &rf);
		struct timeval tv = { (long)left / 1000, ((long)left % 1000) * 1000 };
		if (select(p + 1, &rf, NULL, NULL, &tv) <= 0)
			continue;
		uint8_t buf[2048];
		ssize_t n = recv(p, buf, sizeof(buf), 0);
		uint32_t dst;
		if (n >= 20 && buf[9] == IPPROTO_UDP) {
			memcpy(&dst, buf + 16, 4);
			if (dst == want)
				last = ms_since(&t0);
		}
	}
	printf("leave %.3f\n", last);
	fflush(stdout);
	close(p);
}

static int level_of(int family)
{
	return family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

int main(int argc, char **argv)
{
	int i = 1;
	if (argc < 3 || strcmp(argv[1], "-i") != 0) {
		fprintf(stderr, "usage: mcjoin -i IFACE [-p PORT] STEP...\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "mcjoin: no interface %s\n", argv[2]);
		return 2;
	}
	i = 3;
	if (argc > 4 && !strcmp(argv[3], "-p")) {
		port = atoi(argv[4]);
		i = 5;
	}
	for (; i < argc; i++, clock_gettime(CLOCK_MONOTONIC, &step_end)) {
		const char *op = argv[i];
		if (!strcmp(op, "leavetime") && i + 2 < argc) {
			struct sockaddr_storage g;
			addr(argv[i + 1], &g);
			do_leavetime(&g, atol(argv[i + 2]));
			i += 2;
			continue;
		}
		if (!strcmp(op, "first") && i + 1 < argc) {
			do_first(atol(argv[++i]));
			continue;
		}
		if (!strcmp(op, "sleep") && i + 1 < argc) {
			long ms = atol(argv[++i]);
			struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (!strcmp(op, "recv") && i + 1 < argc) {
			do_recv(atol(argv[++i]));
			continue;
		}
		if (!strcmp(op, "send") && i + 4 < argc) {
			struct sockaddr_storage g, from;
			addr(argv[i + 1], &g);
			addr(argv[i + 2], &from);
			do_send(&g, &from, atol(argv[i + 3]), atol(argv[i + 4]));
			i += 4;
			continue;
		}
		if (i + 1 >= argc)
			break;
		struct sockaddr_storage g;
		addr(argv[++i], &g);
		int fam = g.ss_family, s = sock_for(fam);
		if (!strcmp(op, "join") && fam == AF_INET && i + 1 < argc && !strcmp(argv[i + 1], "first")) {
			/* ETH_P_ALL: only those taps see outgoing frames */
			watch_fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
			struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
						  .sll_ifindex = (int)ifindex };
			if (watch_fd >= 0)
				bind(watch_fd, (struct sockaddr *)&ll, sizeof(ll));
			clock_gettime(CLOCK_MONOTONIC, &watch_t0);
		}
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
