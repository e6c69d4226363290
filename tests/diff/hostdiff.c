/*
 * hostdiff - differential testing of libmcast's host engine against the
 * Linux kernel (tests/diff/README in docs/conformance.md).
 *
 *   hostdiff -4|-6 --host NS --querier NS --seed S --seqs N --steps M [--keep]
 *
 * For each of N seeded random sequences of M steps (socket calls on three
 * sockets: joins, leaves, source joins and leaves, blocks, unblocks,
 * msfilter in both modes, closes; and queries of every version arriving
 * between them), the same steps run on a real Linux host (a veth in
 * namespace --host, made fresh for every sequence) and on the host
 * engine. After each step both have settled (every retransmission and
 * query answer sent) and are compared:
 *   - the socket call's result (ok or the errno);
 *   - the reports sent (record types, groups, sorted sources; the
 *     retransmissions included), as a multiset of packets;
 *   - /proc/net/igmp and mcfilter (igmp6, mcfilter6): per group the
 *     users and the version, per source the include and exclude counts.
 * Only the test's groups are compared (the kernel's own, ff02::1:ff..,
 * 224.0.0.1, are not ours). A difference the RFC allows or where Linux
 * deviates from it is a named rule (docs/conformance.md) applied here;
 * any other is a failure, shrunk to the shortest sequence that still
 * differs and printed as a reproducer. Exit 0 when all agree.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>

#include "mcast/host.h"
#include "mcast/wire.h"

#include "diffutil.h"

#define NSOCK 3
#define NGROUP 3
#define NSRC 4
#define MAXSTEP 256
#define MAXPKT 64

enum op {
	OP_JOIN, OP_LEAVE, OP_SJOIN, OP_SLEAVE, OP_BLOCK, OP_UNBLOCK, OP_FILTER, OP_CLOSE, OP_QUERY, OP__N
};
static const char *const opname[] = { "join", "leave", "sjoin", "sleave", "block", "unblock", "filter", "close", "query" };

struct step {
	enum op op;
	int sock, group, src;
	bool exclude;             /* filter mode */
	unsigned srcmask;         /* filter sources; query sources */
	int qver;                 /* query: IGMP 1..3 / MLD 1..2 */
	int qkind;                /* 0 general, 1 group, 2 group-and-source */
};

static int fam = 4;
static const char *ns_host, *ns_q;
static bool verbose;
static int fd_nsh, fd_nsq, fd_self;
static unsigned ifindex_h, ifindex_q;
static uint8_t mac_q[6];
static struct mcast_addr addr_h, addr_q;
enum rule {
	RULE_NONE = -1,
	RULE_MSFILTER_JOIN,
	RULE_EMPTY_MODE_SWITCH,
	RULE_MCFILTER_FIRST,
	RULE_GSQ_EXCLUDE,
	RULE_SWITCH_ALLOW,
	RULE__N
};
static const char *const rule_names[RULE__N] = { "msfilter-join", "linux-empty-mode-switch",
						 "linux-mcfilter-first-group", "linux-gsq-exclude-answer",
						 "linux-mode-switch-allow" };
static unsigned long rule_hits[RULE__N];
static uint8_t qbuf[1600];
static struct mcast_host *engine;
static unsigned eng_ifindex;

static const char *const groups4[NGROUP] = { "239.1.1.1", "239.1.1.2", "232.1.1.1" };
static const char *const groups6[NGROUP] = { "ff0e::1:1", "ff0e::1:2", "ff3e::1:1" };
static const char *const srcs4[NSRC] = { "10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4" };
static const char *const srcs6[NSRC] = { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4" };

static struct mcast_addr addr_of(const char *s)
{
	struct mcast_addr a;
	mcast_addr_parse(&a, s);
	return a;
}
static struct mcast_addr G(int i) { return addr_of(fam == 4 ? groups4[i] : groups6[i]); }
static struct mcast_addr S(int i) { return addr_of(fam == 4 ? srcs4[i] : srcs6[i]); }

/* ---- the Linux side ------------------------------------------------------ */

static int lsock[NSOCK];
static int cap_fd = -1;

/* A fresh veth pair (so no compatibility timer or state survives from
 * the sequence before), fast retransmissions, no DAD, and the sockets. */
static void linux_setup(void)
{
	enter(fd_self);
	sh("ip link add vh netns %s type veth peer name vq netns %s", ns_host, ns_q);
	enter(fd_nsh);
	static const char *const zero6[] = { "accept_dad", "dad_transmits" };
	for (size_t i = 0; i < 2; i++) {
		char p[128];
		snprintf(p, sizeof(p), "/proc/sys/net/ipv6/conf/vh/%s", zero6[i]);
		write_file(p, "0");
	}
	write_file("/proc/sys/net/ipv4/conf/vh/igmpv3_unsolicited_report_interval", "20");
	write_file("/proc/sys/net/ipv4/conf/vh/igmpv2_unsolicited_report_interval", "20");
	write_file("/proc/sys/net/ipv6/conf/vh/mldv2_unsolicited_report_interval", "20");
	write_file("/proc/sys/net/ipv6/conf/vh/mldv1_unsolicited_report_interval", "20");
	enter(fd_nsq);
	write_file("/proc/sys/net/ipv6/conf/vq/accept_dad", "0");
	enter(fd_self);
	sh("ip -n %s addr add 10.77.0.2/24 dev vh && ip -n %s link set vh up", ns_host, ns_host);
	sh("ip -n %s addr add 10.77.0.1/24 dev vq && ip -n %s link set vq up", ns_q, ns_q);
	enter(fd_nsh);
	ifindex_h = if_nametoindex("vh");
	for (int i = 0; i < NSOCK; i++)
		if ((lsock[i] = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
			die("socket: %s", strerror(errno));
	/* the host's link-local address, as the engine's */
	if (fam == 6)
		addr_h = link_local("vh");
	if (fam == 4)
		addr_h = addr_of("10.77.0.2");
	enter(fd_nsq);
	ifindex_q = if_nametoindex("vq");
	cap_fd = packet_socket("vq", SOCK_NONBLOCK, mac_q);
	addr_q = addr_of("10.77.0.1");
	if (fam == 6)
		addr_q = link_local("vq");
	enter(fd_self);
	sleep_ms(50); /* links up, the kernel's own first reports out */
}

static void linux_teardown(void)
{
	for (int i = 0; i < NSOCK; i++)
		close(lsock[i]);
	if (cap_fd >= 0)
		close(cap_fd);
	cap_fd = -1;
	enter(fd_self);
	sh("ip -n %s link del vh", ns_host);
}

static void fill_gr(struct group_req *gr, int g)
{
	memset(gr, 0, sizeof(*gr));
	gr->gr_interface = ifindex_h;
	struct mcast_addr a = G(g);
	if (fam == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&gr->gr_group;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a.b + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&gr->gr_group;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a.b, 16);
	}
}

static void fill_ss(struct sockaddr_storage *ss, const struct mcast_addr *a)
{
	memset(ss, 0, sizeof(*ss));
	if (fam == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->b + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->b, 16);
	}
}

static int linux_call(const struct step *s)
{
	int fd = lsock[s->sock], level = fam == 4 ? IPPROTO_IP : IPPROTO_IPV6, rc = 0;
	struct group_req gr;
	struct group_source_req gsr;
	memset(&gsr, 0, sizeof(gsr));
	gsr.gsr_interface = ifindex_h;
	struct mcast_addr g = G(s->group), src = S(s->src);
	fill_ss(&gsr.gsr_group, &g);
	fill_ss(&gsr.gsr_source, &src);
	switch (s->op) {
	case OP_JOIN:
	case OP_LEAVE:
		fill_gr(&gr, s->group);
		rc = setsockopt(fd, level, s->op == OP_JOIN ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &gr, sizeof(gr));
		break;
	case OP_SJOIN:
	case OP_SLEAVE:
	case OP_BLOCK:
	case OP_UNBLOCK: {
		static const int opt[] = { [OP_SJOIN] = MCAST_JOIN_SOURCE_GROUP, [OP_SLEAVE] = MCAST_LEAVE_SOURCE_GROUP,
					   [OP_BLOCK] = MCAST_BLOCK_SOURCE, [OP_UNBLOCK] = MCAST_UNBLOCK_SOURCE };
		rc = setsockopt(fd, level, opt[s->op], &gsr, sizeof(gsr));
		break;
	}
	case OP_FILTER: {
		struct sockaddr_storage v[NSRC];
		unsigned n = 0;
		for (int i = 0; i < NSRC; i++)
			if (s->srcmask & (1u << i)) {
				struct mcast_addr x = S(i);
				fill_ss(&v[n++], &x);
			}
		struct sockaddr_storage gss;
		fill_ss(&gss, &g);
		rc = setsourcefilter(fd, ifindex_h, (struct sockaddr *)&gss,
				     fam == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6),
				     s->exclude ? MCAST_EXCLUDE : MCAST_INCLUDE, n, v);
		break;
	}
	case OP_CLOSE:
		close(fd);
		enter(fd_nsh);
		lsock[s->sock] = socket(fam == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		enter(fd_self);
		break;
	default:
		break;
	}
	return rc < 0 ? -errno : 0;
}

/* ---- packets on the link: queries out, reports in ------------------------ */

struct pktlist {
	char *p[MAXPKT];
	int n;
};

static void pkt_clear(struct pktlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->p[i]);
	l->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool our_group(const struct mcast_addr *g)
{
	for (int i = 0; i < NGROUP; i++) {
		struct mcast_addr x = G(i);
		if (mcast_addr_eq(&x, g))
			return true;
	}
	return false;
}

static int cmp_rec(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* A report as one line: its kind and records (sorted), our groups only;
 * NULL when it holds none of ours. */
static char *describe(const uint8_t *ip, size_t len)
{
	static struct mcast_addr srcs[512];
	static struct mcast_group_record recs[64];
	struct mcast_msg m = { .srcs = srcs, .srcs_cap = 512, .recs = recs, .recs_cap = 64 };
	if (mcast_msg_decode_packet(&m, ip, len, NULL, NULL) != MCAST_DROP_NONE || m.kind == MCAST_MSG_QUERY)
		return NULL;
	char out[4096];
	size_t k = 0;
	char a[MCAST_ADDR_STRLEN];
	if (m.kind != MCAST_MSG_V3_REPORT) {
		if (!our_group(&m.group))
			return NULL;
		snprintf(out, sizeof(out), "%s %s", mcast_msg_name(&m), mcast_addr_str(&m.group, a));
		return strdup(out);
	}
	char rec[64][256];
	int nr = 0;
	for (unsigned i = 0; i < m.nrecs && nr < 64; i++) {
		const struct mcast_group_record *r = &m.recs[i];
		if (!our_group(&r->group))
			continue;
		struct mcast_addr v[64];
		size_t n = r->nsrcs < 64 ? r->nsrcs : 64;
		memcpy(v, m.srcs + r->src_index, n * sizeof(*v));
		n = mcast_addrs_normalize(v, n);
		size_t q = (size_t)snprintf(rec[nr], sizeof(rec[nr]), "%s %s {", mcast_rec_type_name(r->type),
					    mcast_addr_str(&r->group, a));
		for (size_t j = 0; j < n; j++)
			q += (size_t)snprintf(rec[nr] + q, sizeof(rec[nr]) - q, "%s%s", j ? " " : "", mcast_addr_str(&v[j], a));
		snprintf(rec[nr] + q, sizeof(rec[nr]) - q, "}");
		nr++;
	}
	if (nr == 0)
		return NULL;
	qsort(rec, (size_t)nr, sizeof(rec[0]), cmp_rec);
	k = (size_t)snprintf(out, sizeof(out), "%s:", mcast_msg_name(&m));
	for (int i = 0; i < nr; i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, " %s;", rec[i]);
	return strdup(out);
}

static void pkt_add(struct pktlist *l, const uint8_t *ip, size_t len)
{
	char *d = describe(ip, len);
	if (!d)
		return;
	if (l->n == MAXPKT) {
		free(d);
		return;
	}
	l->p[l->n++] = d;
}

static void capture(struct pktlist *l)
{
	uint8_t buf[2048];
	struct sockaddr_ll from;
	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(cap_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		if (from.sll_pkttype == PACKET_OUTGOING || n < 14)
			continue;
		uint16_t et = (uint16_t)(buf[12] << 8 | buf[13]);
		if (et == ETH_P_IP || et == ETH_P_IPV6)
			pkt_add(l, buf + 14, (size_t)n - 14);
	}
}

static void emit_query(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	send_frame(cap_fd, mac_q, pkt, len);
}

/* The engine takes the query as the kernel does: a group's query only
 * when the interface has joined the group (the NIC's and IP's filter). */
static void emit_engine_query(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	struct mcast_ip_info ip;
	enum mcast_filter_mode mode;
	size_t n;
	if (mcast_ip_parse(pkt, len, &ip) != MCAST_DROP_NONE)
		return;
	bool all = mcast_addr_eq(&ip.dst, fam == 4 ? &mcast_addr_all_systems : &mcast_addr_all_nodes);
	if (all || mcast_host_iface_state(engine, eng_ifindex, &ip.dst, &mode, NULL, 0, &n) == 0)
		mcast_host_input(engine, eng_ifindex, pkt, len);
}

static uint32_t query_mrt(const struct step *s)
{
	/* IGMPv1 has no max response field: hosts take 10 s (RFC 2236 4),
	 * also for a v3 query while in IGMPv1 mode (RFC 3376 7.2.1) */
	if (fam == 4 && (s->qver == 1 || (engine && mcast_host_version(engine, eng_ifindex) == 1)))
		return 10000;
	return 100;
}

static void make_query(const struct step *s, mcast_emit_fn emit)
{
	struct mcast_addr srcs[NSRC];
	size_t n = 0;
	for (int i = 0; s->qkind == 2 && i < NSRC; i++)
		if (s->srcmask & (1u << i))
			srcs[n++] = S(i);
	struct mcast_query_params q = {
		.family = fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6,
		.version = (uint8_t)s->qver,
		.group = s->qkind ? G(s->group) : (fam == 4 ? mcast_addr_any4 : mcast_addr_any6),
		.max_resp_ms = query_mrt(s),
		.qrv = 2,
		.qqi_s = 125,
		.srcs = srcs,
		.nsrcs = n,
	};
	if (mcast_query_encode(&q, &addr_q, NULL, 1500, qbuf, sizeof(qbuf), emit, NULL) < 0)
		die("cannot encode a query");
}

/* ---- the engine side ------------------------------------------------------ */

static struct mcast_wheel wheel;
static struct mcast_host_sock *esock[NSOCK];
static struct pktlist *eng_out;

static void eng_send(void *ctx, unsigned ifi, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifi;
	pkt_add(eng_out, pkt, len);
}

static void engine_setup(uint64_t seed)
{
	mcast_wheel_init(&wheel, 0);
	static struct mcast_host_env env;
	env = (struct mcast_host_env){ .al = &mcast_alloc_libc, .wheel = &wheel, .send = eng_send, .seed = seed };
	engine = mcast_host_create(&env, NULL, fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6);
	struct mcast_host_iface_config ic;
	mcast_host_iface_config_default(&ic);
	ic.unsolicited_v3_ms = ic.unsolicited_v2_ms = 20;
	eng_ifindex = ifindex_h;
	if (!engine || mcast_host_iface_add(engine, eng_ifindex, "vh", &addr_h, &ic) < 0)
		die("cannot set up the host engine");
	for (int i = 0; i < NSOCK; i++)
		esock[i] = mcast_host_socket(engine);
}

static int engine_call(const struct step *s)
{
	struct mcast_host_sock *k = esock[s->sock];
	struct mcast_addr g = G(s->group), src = S(s->src);
	switch (s->op) {
	case OP_JOIN:
		return mcast_host_join(engine, k, eng_ifindex, &g);
	case OP_LEAVE:
		return mcast_host_leave(engine, k, eng_ifindex, &g);
	case OP_SJOIN:
		return mcast_host_join_source(engine, k, eng_ifindex, &g, &src);
	case OP_SLEAVE:
		return mcast_host_leave_source(engine, k, eng_ifindex, &g, &src);
	case OP_BLOCK:
		return mcast_host_block(engine, k, eng_ifindex, &g, &src);
	case OP_UNBLOCK:
		return mcast_host_unblock(engine, k, eng_ifindex, &g, &src);
	case OP_FILTER: {
		struct mcast_addr v[NSRC];
		size_t n = 0;
		for (int i = 0; i < NSRC; i++)
			if (s->srcmask & (1u << i))
				v[n++] = S(i);
		return mcast_host_set_filter(engine, k, eng_ifindex, &g, s->exclude ? MCAST_MODE_EXCLUDE : MCAST_MODE_INCLUDE,
					     v, n);
	}
	case OP_CLOSE:
		mcast_host_close(engine, k);
		esock[s->sock] = mcast_host_socket(engine);
		return 0;
	default:
		return 0;
	}
}

/* ---- /proc state ---------------------------------------------------------- */

struct state {
	char lines[64][160];
	int n;
	int version;      /* IPv4: the interface's V1/V2/V3 */
};

/* The group's line "GROUP users N" and each source's "GROUP SRC in I ex E". */
static void parse_proc(struct state *st, const char *groups, const char *filters)
{
	st->n = 0;
	st->version = 0;
	char line[512];
	const char *p = groups;
	bool ours = false;
	while (next_line(&p, line, sizeof(line))) {
		unsigned idx, users, grp;
		char dev[64], ver[8], hex[40];
		if (fam == 4) {
			if (sscanf(line, "%u %63s : %*u %7s", &idx, dev, ver) == 3 && !strchr(dev, ':')) {
				ours = idx == ifindex_h;
				if (ours)
					st->version = ver[1] - '0';
			} else if (ours && sscanf(line, " %x %u", &grp, &users) == 2) {
				struct mcast_addr a;
				uint32_t be = grp; /* printed as the __be32 read little-endian */
				mcast_addr_from_u32(&a, ntohl(be));
				if (our_group(&a) && st->n < 64) {
					char s[MCAST_ADDR_STRLEN];
					snprintf(st->lines[st->n++], 160, "%s users %u", mcast_addr_str(&a, s), users);
				}
			}
		} else if (sscanf(line, "%u %63s %39s %u", &idx, dev, hex, &users) == 4 && idx == ifindex_h) {
			struct mcast_addr a;
			hex_addr(hex, &a);
			if (our_group(&a) && st->n < 64) {
				char s[MCAST_ADDR_STRLEN];
				snprintf(st->lines[st->n++], 160, "%s users %u", mcast_addr_str(&a, s), users);
			}
		}
	}
	p = filters;
	while (next_line(&p, line, sizeof(line))) {
		unsigned idx, in, ex;
		char dev[64], ga[40], sa[40];
		if (sscanf(line, "%u %63s %39s %39s %u %u", &idx, dev, ga, sa, &in, &ex) != 6 || idx != ifindex_h)
			continue;
		struct mcast_addr g, s;
		if (fam == 4) {
			mcast_addr_from_u32(&g, (uint32_t)strtoul(ga, NULL, 16));
			mcast_addr_from_u32(&s, (uint32_t)strtoul(sa, NULL, 16));
		} else {
			hex_addr(ga, &g);
			hex_addr(sa, &s);
		}
		if (!our_group(&g) || st->n >= 64 || (in == 0 && ex == 0))
			continue;
		char x[MCAST_ADDR_STRLEN], y[MCAST_ADDR_STRLEN];
		snprintf(st->lines[st->n++], 160, "%s %s in %u ex %u", mcast_addr_str(&g, x), mcast_addr_str(&s, y), in, ex);
	}
	qsort(st->lines, (size_t)st->n, sizeof(st->lines[0]), cmp_rec);
}

static void state_lines(const char *title, const struct state *st)
{
	const char *v[64];
	for (int k = 0; k < st->n; k++)
		v[k] = st->lines[k];
	print_lines(title, v, st->n);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die("%s: %s", path, strerror(errno));
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n - 1, f)) > 0)
		n += r;
	fclose(f);
	if (b)
		b[n] = '\0';
	return b;
}

struct strbuf {
	char *b;
	size_t n, cap;
};

static void sb_line(void *ctx, const char *line)
{
	struct strbuf *s = ctx;
	size_t l = strlen(line);
	if (s->n + l + 1 > s->cap) {
		s->cap = (s->n + l + 1) * 2;
		s->b = realloc(s->b, s->cap);
		if (!s->b)
			die("out of memory");
	}
	memcpy(s->b + s->n, line, l + 1);
	s->n += l;
}

/* The interface's source counts as the sockets' filters add them up:
 * per (group, source) the INCLUDE and the EXCLUDE sockets listing it. */
static int socket_counts(char lines[][160], int cap)
{
	unsigned in[NGROUP][NSRC] = { { 0 } }, ex[NGROUP][NSRC] = { { 0 } };
	for (int k = 0; k < NSOCK; k++)
		for (int gi = 0; gi < NGROUP; gi++) {
			struct sockaddr_storage gss, v[NSRC + 4];
			struct mcast_addr g = G(gi);
			fill_ss(&gss, &g);
			uint32_t mode, n = NSRC + 4;
			if (getsourcefilter(lsock[k], ifindex_h, (struct sockaddr *)&gss,
					    fam == 4 ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6), &mode, &n,
					    v) < 0)
				continue;
			for (uint32_t j = 0; j < n && j < NSRC + 4; j++)
				for (int si = 0; si < NSRC; si++) {
					struct mcast_addr x = S(si);
					bool eq = fam == 4 ? !memcmp(&((struct sockaddr_in *)&v[j])->sin_addr, x.b + 12, 4)
							   : !memcmp(&((struct sockaddr_in6 *)&v[j])->sin6_addr, x.b, 16);
					if (eq)
						(mode == MCAST_INCLUDE ? in : ex)[gi][si]++;
				}
		}
	int n = 0;
	for (int gi = 0; gi < NGROUP; gi++)
		for (int si = 0; si < NSRC && n < cap; si++)
			if (in[gi][si] || ex[gi][si]) {
				char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
				struct mcast_addr g = G(gi), x = S(si);
				snprintf(lines[n++], 160, "%s %s in %u ex %u", mcast_addr_str(&g, a), mcast_addr_str(&x, b),
					 in[gi][si], ex[gi][si]);
			}
	return n;
}

static void linux_state(struct state *st)
{
	enter(fd_nsh);
	char *g = slurp(fam == 4 ? "/proc/net/igmp" : "/proc/net/igmp6");
	char *f = slurp(fam == 4 ? "/proc/net/mcfilter" : "/proc/net/mcfilter6");
	enter(fd_self);
	parse_proc(st, g, f);
	free(g);
	free(f);
	/* linux-mcfilter-first-group: the kernel's mcfilter listing starts
	 * an interface only when its most recently joined group has source
	 * records (igmp_mcf_get_first() looks at the list head alone), so
	 * it shows nothing for the interface otherwise. Then the counts are
	 * taken from the sockets' filters (getsourcefilter()). */
	int have = 0;
	for (int k = 0; k < st->n; k++)
		have += strstr(st->lines[k], " in ") != NULL;
	char extra[64][160];
	int ne = have ? 0 : socket_counts(extra, 64);
	if (ne) {
		rule_hits[RULE_MCFILTER_FIRST]++;
		for (int k = 0; k < ne && st->n < 64; k++)
			memcpy(st->lines[st->n++], extra[k], 160);
		qsort(st->lines, (size_t)st->n, sizeof(st->lines[0]), cmp_rec);
	}
}

static void engine_state(struct state *st)
{
	struct strbuf g = { 0 }, f = { 0 };
	mcast_host_dump_proc_groups(engine, sb_line, &g);
	mcast_host_dump_proc_filters(engine, sb_line, &f);
	parse_proc(st, g.b, f.b);
	free(g.b);
	free(f.b);
}

/* ---- sequences --------------------------------------------------------------- */

static void gen(struct mcast_rng *r, void *steps, int n)
{
	struct step *v = steps;
	for (int i = 0; i < n; i++) {
		struct step *s = &v[i];
		memset(s, 0, sizeof(*s));
		/* weights: socket calls mostly, a query now and then */
		static const enum op pick[] = { OP_JOIN, OP_JOIN, OP_LEAVE, OP_SJOIN, OP_SJOIN, OP_SLEAVE, OP_BLOCK,
						OP_UNBLOCK, OP_FILTER, OP_FILTER, OP_CLOSE, OP_QUERY, OP_QUERY };
		s->op = pick[mcast_rng_below(r, sizeof(pick) / sizeof(pick[0]))];
		s->sock = (int)mcast_rng_below(r, NSOCK);
		s->group = (int)mcast_rng_below(r, NGROUP);
		s->src = (int)mcast_rng_below(r, NSRC);
		s->exclude = mcast_rng_below(r, 2);
		s->srcmask = (unsigned)mcast_rng_below(r, 1u << NSRC);
		if (s->op == OP_QUERY) {
			int maxv = fam == 4 ? 3 : 2;
			/* older queries rarely: they put the host in a long
			 * compatibility mode (and IGMPv1 answers take 10 s) */
			s->qver = mcast_rng_below(r, 6) == 0 ? 1 + (int)mcast_rng_below(r, (uint64_t)maxv - 1) : maxv;
			if (fam == 4 && s->qver == 1 && mcast_rng_below(r, 2))
				s->qver = 2;
			s->qkind = s->qver == maxv ? (int)mcast_rng_below(r, 3) : (fam == 4 && s->qver == 1 ? 0 : (int)mcast_rng_below(r, 2));
			if (s->qkind == 2 && s->srcmask == 0)
				s->srcmask = 1;
		}
	}
}

static void print_step(FILE *out, const void *step)
{
	const struct step *s = step;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	struct mcast_addr g = G(s->group), x = S(s->src);
	switch (s->op) {
	case OP_JOIN:
	case OP_LEAVE:
		fprintf(out, "s%d %s %s", s->sock, opname[s->op], mcast_addr_str(&g, a));
		break;
	case OP_FILTER:
		fprintf(out, "s%d filter %s %s", s->sock, mcast_addr_str(&g, a), s->exclude ? "exclude" : "include");
		for (int i = 0; i < NSRC; i++)
			if (s->srcmask & (1u << i)) {
				struct mcast_addr y = S(i);
				fprintf(out, " %s", mcast_addr_str(&y, b));
			}
		break;
	case OP_CLOSE:
		fprintf(out, "s%d close", s->sock);
		break;
	case OP_QUERY:
		fprintf(out, "query v%d %s", s->qver, s->qkind == 0 ? "general" : mcast_addr_str(&g, a));
		for (int i = 0; s->qkind == 2 && i < NSRC; i++)
			if (s->srcmask & (1u << i)) {
				struct mcast_addr y = S(i);
				fprintf(out, " %s", mcast_addr_str(&y, b));
			}
		break;
	default:
		fprintf(out, "s%d %s %s %s", s->sock, opname[s->op], mcast_addr_str(&g, a), mcast_addr_str(&x, b));
	}
}

static const char *errstr(int rc)
{
	if (rc == 0)
		return "ok";
	const char *n = strerrorname_np(-rc);
	return n ? n : "an unknown errno";
}

/*
 * The allowed differences (docs/conformance.md), by name. A rule that
 * applies to a step says so before the step runs; the comparer then
 * applies it as the document says (here: the step is not run on either
 * side, and the rule's count goes up).
 */

static enum rule rule_for(const struct step *s)
{
	/* msfilter-join: Linux refuses setsourcefilter() on a socket that
	 * has not joined the group (EINVAL, ip_mc_msfilter()); the engine's
	 * full-state call sets the whole state and joins (RFC 3678 5.2). */
	if (s->op == OP_FILTER) {
		enum mcast_filter_mode mode;
		size_t n;
		struct mcast_addr g = G(s->group);
		if (mcast_host_get_filter(engine, esock[s->sock], eng_ifindex, &g, &mode, NULL, 0, &n) < 0)
			return RULE_MSFILTER_JOIN;
	}
	/* linux-empty-mode-switch: a leave-source on an any-source
	 * membership without blocks (or an unblock on a source-specific
	 * one) fails in Linux after switching the empty filter's mode, so
	 * the socket ends in INCLUDE {} and the interface reports TO_IN {}
	 * though the call failed; the engine fails without a change. */
	if (s->op == OP_SLEAVE || s->op == OP_UNBLOCK) {
		enum mcast_filter_mode mode;
		size_t n;
		struct mcast_addr g = G(s->group);
		if (mcast_host_get_filter(engine, esock[s->sock], eng_ifindex, &g, &mode, NULL, 0, &n) == 0 && n == 0 &&
		    (mode == MCAST_MODE_INCLUDE) != (s->op == OP_SLEAVE))
			return RULE_EMPTY_MODE_SWITCH;
	}
	return RULE_NONE;
}

static unsigned long steps_compared;

/*
 * linux-gsq-exclude-answer: in EXCLUDE (A) mode Linux answers a
 * group-and-source query for B with its whole state, IS_EX (A), where
 * RFC 3376 5.2 / RFC 3810 6.3 (and the engine) send IS_IN (B-A), or
 * nothing when B-A is empty. Linux's answer is replaced by the RFC's.
 */
static void gsq_rule(const struct step *s, struct pktlist *lp)
{
	struct mcast_addr g = G(s->group), a[NSRC + 4];
	enum mcast_filter_mode mode;
	size_t n;
	if (mcast_host_version(engine, eng_ifindex) != (fam == 4 ? 3 : 2) ||
	    mcast_host_iface_state(engine, eng_ifindex, &g, &mode, a, NSRC + 4, &n) < 0 || mode != MCAST_MODE_EXCLUDE)
		return;
	const char *name = fam == 4 ? "IGMPv3 report" : "MLDv2 report";
	char ga[MCAST_ADDR_STRLEN], x[MCAST_ADDR_STRLEN], linux_ans[512], rfc_ans[512];
	size_t k = (size_t)snprintf(linux_ans, sizeof(linux_ans), "%s: IS_EX %s {", name, mcast_addr_str(&g, ga));
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(linux_ans + k, sizeof(linux_ans) - k, "%s%s", i ? " " : "", mcast_addr_str(&a[i], x));
	snprintf(linux_ans + k, sizeof(linux_ans) - k, "};");
	k = (size_t)snprintf(rfc_ans, sizeof(rfc_ans), "%s: IS_IN %s {", name, ga);
	size_t nb = 0;
	for (int i = 0; i < NSRC; i++) {
		struct mcast_addr b = S(i);
		bool in_a = false;
		for (size_t j = 0; j < n; j++)
			in_a |= mcast_addr_eq(&a[j], &b);
		if ((s->srcmask & (1u << i)) && !in_a)
			k += (size_t)snprintf(rfc_ans + k, sizeof(rfc_ans) - k, "%s%s", nb++ ? " " : "", mcast_addr_str(&b, x));
	}
	snprintf(rfc_ans + k, sizeof(rfc_ans) - k, "};");
	for (int i = 0; i < lp->n; i++) {
		if (strcmp(lp->p[i], linux_ans))
			continue;
		rule_hits[RULE_GSQ_EXCLUDE]++;
		free(lp->p[i]);
		if (nb) {
			lp->p[i] = strdup(rfc_ans);
		} else {
			lp->p[i] = lp->p[--lp->n];
			i--;
		}
	}
}

/* Is source i forwarded by the interface state (mode, a[0..n))? */
static bool forwarded(enum mcast_filter_mode mode, const struct mcast_addr *a, size_t n, const struct mcast_addr *x)
{
	bool listed = false;
	for (size_t k = 0; k < n; k++)
		listed |= mcast_addr_eq(&a[k], x);
	return mode == MCAST_MODE_INCLUDE ? listed : !listed;
}

/*
 * linux-mode-switch-allow: a source join on an any-source membership
 * switches the socket to INCLUDE (as the engine does), and Linux then
 * also lists in an ALLOW record sources whose interface state did not
 * change (forwarded before and after): a harmless extra the RFC's
 * difference (RFC 3376 5.1) does not have. Those are taken out of
 * Linux's records (the group's state before the step in was/wn/wa).
 */
static void switch_rule(const struct step *s, struct pktlist *lp, bool was, enum mcast_filter_mode wm,
			const struct mcast_addr *wa, size_t wn)
{
	struct mcast_addr g = G(s->group), na[NSRC + 4];
	enum mcast_filter_mode nm;
	size_t nn;
	if (!was || mcast_host_iface_state(engine, eng_ifindex, &g, &nm, na, NSRC + 4, &nn) < 0)
		return;
	char ga[MCAST_ADDR_STRLEN];
	mcast_addr_str(&g, ga);
	for (int i = 0; i < lp->n; i++) {
		char out[4096];
		size_t k = 0;
		bool changed = false;
		char *save = NULL, *copy = strdup(lp->p[i]);
		/* "NAME: TYPE G {a b}; TYPE G {...};" */
		char *colon = strchr(copy, ':');
		if (!colon) {
			free(copy);
			continue;
		}
		*colon = '\0';
		k = (size_t)snprintf(out, sizeof(out), "%s:", copy);
		int kept = 0;
		for (char *rec = strtok_r(colon + 1, ";", &save); rec; rec = strtok_r(NULL, ";", &save)) {
			while (*rec == ' ')
				rec++;
			if (!*rec)
				continue;
			char type[16], grp[64], srcs[1024] = "";
			if (sscanf(rec, "%15s %63s {%1023[^}]}", type, grp, srcs) < 2)
				continue;
			char keep[1024] = "";
			size_t kk = 0;
			for (char *sv = NULL, *t = strtok_r(srcs, " ", &sv); t; t = strtok_r(NULL, " ", &sv)) {
				struct mcast_addr x;
				if (!strcmp(type, "ALLOW") && !strcmp(grp, ga) && mcast_addr_parse(&x, t) == 0 &&
				    forwarded(wm, wa, wn, &x) && forwarded(nm, na, nn, &x)) {
					changed = true;
					continue;
				}
				kk += (size_t)snprintf(keep + kk, sizeof(keep) - kk, "%s%s", kk ? " " : "", t);
			}
			if (!strcmp(type, "ALLOW") && !kk)
				continue; /* an ALLOW left empty goes */
			k += (size_t)snprintf(out + k, sizeof(out) - k, " %s %s {%s};", type, grp, keep);
			kept++;
		}
		free(copy);
		if (!changed)
			continue;
		rule_hits[RULE_SWITCH_ALLOW]++;
		free(lp->p[i]);
		if (kept) {
			lp->p[i] = strdup(out);
		} else {
			lp->p[i] = lp->p[--lp->n];
			i--;
		}
	}
}

/* Runs v[0..n) on both; returns the first step that differs, or -1.
 * With report, prints what differs. */
static uint64_t run_seed; /* the sequence's: the engine's random delays */

static void begin(uint64_t seed)
{
	run_seed = seed;
}

static int run(const void *steps, int n, bool report)
{
	const struct step *v = steps;
	uint64_t seed = run_seed;
	linux_setup();
	engine_setup(seed);
	struct pktlist lp = { 0 }, ep = { 0 };
	eng_out = &ep;
	/* what each side sent before the first step is not compared */
	mcast_wheel_advance(&wheel, wheel.now_ms + 200);
	capture(&lp);
	pkt_clear(&lp);
	pkt_clear(&ep);
	int bad = -1;
	for (int i = 0; i < n && bad < 0; i++) {
		const struct step *s = &v[i];
		int lrc = 0, erc = 0;
		unsigned wait = 150;
		enum rule ru = rule_for(s);
		if (ru != RULE_NONE) {
			rule_hits[ru]++;
			if (verbose) {
				printf("  rule %s: ", rule_names[ru]);
				print_step(stdout, s);
				printf("\n");
			}
			continue;
		}
		/* the group's state before, and whether the step switches an
		 * any-source membership (for linux-mode-switch-allow) */
		struct mcast_addr wa[NSRC + 4], gg = G(s->group);
		enum mcast_filter_mode wm = MCAST_MODE_INCLUDE, sm;
		size_t wn = 0, sn;
		bool switching = s->op == OP_SJOIN &&
				 mcast_host_get_filter(engine, esock[s->sock], eng_ifindex, &gg, &sm, NULL, 0, &sn) == 0 &&
				 sm == MCAST_MODE_EXCLUDE && sn == 0;
		if (switching && mcast_host_iface_state(engine, eng_ifindex, &gg, &wm, wa, NSRC + 4, &wn) < 0)
			switching = false;
		if (s->op == OP_QUERY) {
			make_query(s, emit_query);
			make_query(s, emit_engine_query);
			wait = query_mrt(s) + 200;
		} else {
			lrc = linux_call(s);
			erc = engine_call(s);
		}
		mcast_time_ms t0 = now_ms();
		while (now_ms() - t0 < wait) {
			sleep_ms(10);
			capture(&lp);
		}
		mcast_wheel_advance(&wheel, wheel.now_ms + wait);
		capture(&lp);
		struct state ls, es;
		linux_state(&ls);
		engine_state(&es);
		steps_compared++;
		if (s->op == OP_QUERY && s->qkind == 2)
			gsq_rule(s, &lp);
		if (switching)
			switch_rule(s, &lp, true, wm, wa, wn);
		qsort(lp.p, (size_t)lp.n, sizeof(char *), cmp_str);
		qsort(ep.p, (size_t)ep.n, sizeof(char *), cmp_str);
		bool same = lrc == erc && lp.n == ep.n && ls.n == es.n && (fam == 6 || ls.version == es.version);
		for (int k = 0; same && k < lp.n; k++)
			same = !strcmp(lp.p[k], ep.p[k]);
		for (int k = 0; same && k < ls.n; k++)
			same = !strcmp(ls.lines[k], es.lines[k]);
		if (!same) {
			bad = i;
			if (report || verbose) {
				printf("  step %d: ", i + 1);
				print_step(stdout, s);
				printf("\n    result:  linux %s, engine %s\n", errstr(lrc), errstr(erc));
				print_lines("linux sent", (const char *const *)lp.p, lp.n);
				print_lines("engine sent", (const char *const *)ep.p, ep.n);
				if (fam == 4)
					printf("    version: linux V%d, engine V%d\n", ls.version, es.version);
				state_lines("linux state", &ls);
				state_lines("engine state", &es);
			}
		} else if (verbose) {
			printf("  ok step %d: ", i + 1);
			print_step(stdout, s);
			printf(" (%s; %d packets)\n", errstr(lrc), lp.n);
		}
		pkt_clear(&lp);
		pkt_clear(&ep);
	}
	mcast_host_destroy(engine);
	engine = NULL;
	linux_teardown();
	return bad;
}

int main(int argc, char **argv)
{
	diff_prog = "hostdiff";
	struct diff_opts o;
	diff_options(argc, argv, "host", "querier", NULL, MAXSTEP, &o);
	fam = o.fam;
	ns_host = o.ns[0];
	ns_q = o.ns[1];
	verbose = o.verbose;
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd_self = diff_self_ns();
	fd_nsh = open_ns(ns_host);
	fd_nsq = open_ns(ns_q);
	char label[32];
	snprintf(label, sizeof(label), "hostdiff IPv%d", fam);
	const struct diff_prog_ops ops = { label, sizeof(struct step), 7919, (uint64_t)fam, gen, run, print_step, begin,
					   rule_names, rule_hits, RULE__N };
	return diff_sequences(&o, &ops, &steps_compared) ? 1 : 0;
}
