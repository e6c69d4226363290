/*
 * rtdiff - differential testing of libmcast's router engine against the
 * Linux bridge's IGMPv3/MLDv2 snooping state (docs/conformance.md).
 *
 *   rtdiff -4|-6 --bridge NS --hosts NS [--querier] --seed S --seqs N --steps M [-v]
 *
 * For each of N seeded random sequences of M steps (reports from three
 * hosts: IGMPv3/MLDv2 records of every type, IGMPv2/MLDv1 reports and
 * leaves, and now and then a pause long enough for LMQT timers to run
 * out), the same packets reach a Linux bridge port (a veth into a bridge
 * with snooping, IGMPv3 and MLDv2, made fresh for every sequence, as
 * querier with --querier) and the router engine (querier or not alike).
 * After each step both are compared per group: filter mode, the group
 * timer's class, and each source with its timer's class: 0 (not
 * forwarded), LMQT (at most LMQT left: being queried or leaving) or GMI
 * (more). A difference the RFC allows, or where the bridge deviates
 * from it, is a named rule applied here; any other is a failure, shrunk
 * to the shortest sequence that still differs. Exit 0 when all agree.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <linux/if_ether.h>

#include "mcast/router.h"
#include "mcast/wire.h"

#include "diffutil.h"

#define NHOST 3
#define NGROUP 3
#define NSRC 4
#define MAXSTEP 256
#define LMQT_MS 2000
#define SLACK_MS 700 /* real time passing while a step runs and is read */

enum op { OP_V3, OP_OLD_REPORT, OP_OLD_LEAVE, OP_WAIT };

struct step {
	enum op op;
	int host, group;
	uint8_t type;             /* record type */
	unsigned srcmask;
};

static int fam = 4;
static bool querier, verbose;
static const char *ns_b, *ns_h;
static int fd_b, fd_h, fd_self, pfd = -1;
static uint8_t mac_h[6];
static unsigned long steps_compared;

static const char *const groups4[NGROUP] = { "239.1.1.1", "239.1.1.2", "232.1.1.1" };
static const char *const groups6[NGROUP] = { "ff0e::1:1", "ff0e::1:2", "ff3e::1:1" };
static const char *const srcs4[NSRC] = { "10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4" };
static const char *const srcs6[NSRC] = { "2001:db8::1", "2001:db8::2", "2001:db8::3", "2001:db8::4" };
static const char *const hosts4[NHOST] = { "10.88.0.11", "10.88.0.12", "10.88.0.13" };
static const char *const hosts6[NHOST] = { "fe80::11", "fe80::12", "fe80::13" };

static struct mcast_addr addr_of(const char *s)
{
	struct mcast_addr a;
	mcast_addr_parse(&a, s);
	return a;
}
static struct mcast_addr G(int i) { return addr_of(fam == 4 ? groups4[i] : groups6[i]); }
static struct mcast_addr S(int i) { return addr_of(fam == 4 ? srcs4[i] : srcs6[i]); }
static struct mcast_addr H(int i) { return addr_of(fam == 4 ? hosts4[i] : hosts6[i]); }

/*
 * The allowed differences (docs/conformance.md). The bridge tracks a
 * port, the RFC a link: where they differ by design, or the bridge
 * deviates from the RFC, the rule names it.
 */
enum rule { RULE_NONE = -1, RULE_NO_HOST_COMPAT, RULE_OLD_LEAVE_SOURCES, RULE_EMPTY_INCLUDE, RULE__N };
static const char *const rule_names[RULE__N] = { "bridge-no-host-compat", "bridge-old-leave-keeps-sources",
						 "bridge-empty-include" };
static unsigned long rule_hits[RULE__N];

/* ---- the bridge ---------------------------------------------------------- */

static void bridge_setup(void)
{
	enter(fd_self);
	sh("ip -n %s link add br0 type bridge mcast_snooping 1 mcast_igmp_version 3 mcast_mld_version 2 "
	   "mcast_querier %d mcast_last_member_interval 100 mcast_last_member_count 2 "
	   "mcast_membership_interval 26000 mcast_query_interval 12500 mcast_query_response_interval 1000",
	   ns_b, querier ? 1 : 0);
	sh("ip link add bp netns %s type veth peer name hp netns %s", ns_b, ns_h);
	sh("ip -n %s link set bp master br0 && ip -n %s link set br0 up && ip -n %s link set bp up", ns_b, ns_b, ns_b);
	sh("ip -n %s link set hp up", ns_h);
	enter(fd_h);
	pfd = packet_socket("hp", 0, mac_h);
	enter(fd_self);
	sleep_ms(100);
}

static void bridge_teardown(void)
{
	if (pfd >= 0)
		close(pfd);
	pfd = -1;
	enter(fd_self);
	sh("ip -n %s link del br0 && ip -n %s link del bp", ns_b, ns_b);
}

/* ---- the engine ------------------------------------------------------------ */

static struct mcast_wheel wheel;
static struct mcast_router *rt;

static void nosend(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	(void)pkt;
	(void)len;
}

/*
 * As a non-querier, the engine and the bridge share the link with a
 * querier: a second router engine with a lower address, whose queries
 * (general at startup, and the group and group-and-source queries the
 * records call for) reach both. The RFC's non-querier lowers timers
 * when it hears them; the bridge lowers them at once by itself.
 */
static struct mcast_router *qr;

static void querier_send(void *ctx, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)ifindex;
	send_frame(pfd, mac_h, pkt, len);
	if (rt)
		mcast_router_input(rt, 1, pkt, len);
}

static void engine_setup(void)
{
	mcast_wheel_init(&wheel, 0);
	static struct mcast_router_env env;
	env = (struct mcast_router_env){ .al = &mcast_alloc_libc, .wheel = &wheel, .send = nosend, .hash_seed = 5 };
	rt = mcast_router_create(&env, fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6);
	struct mcast_router_config c;
	mcast_router_config_default(&c, fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6);
	c.querier = querier;
	/* no SSM range: the bridge has none, and SSM is compared elsewhere */
	c.nssm = 0;
	struct mcast_addr a = addr_of(fam == 4 ? "10.88.0.100" : "fe80::100");
	if (!rt || mcast_router_iface_add(rt, 1, "bp", &a, 1500, &c) < 0)
		die("cannot set up the router engine");
	if (querier)
		return;
	static struct mcast_router_env qenv;
	qenv = (struct mcast_router_env){ .al = &mcast_alloc_libc, .wheel = &wheel, .send = querier_send, .hash_seed = 6 };
	qr = mcast_router_create(&qenv, fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6);
	c.querier = true;
	struct mcast_addr qa = addr_of(fam == 4 ? "10.88.0.1" : "fe80::1");
	if (!qr || mcast_router_iface_add(qr, 1, "bp", &qa, 1500, &c) < 0)
		die("cannot set up the querier");
}

/* ---- packets ------------------------------------------------------------------ */

static uint8_t pkts[4][1600];
static size_t pkt_len[4];
static int npkt;

static void collect(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	if (npkt < 4 && len <= sizeof(pkts[0])) {
		memcpy(pkts[npkt], p, len);
		pkt_len[npkt++] = len;
	}
}

static void build(const struct step *s)
{
	npkt = 0;
	struct mcast_addr g = G(s->group), h = H(s->host), v[NSRC];
	size_t n = 0;
	for (int i = 0; i < NSRC; i++)
		if (s->srcmask & (1u << i))
			v[n++] = S(i);
	if (s->op == OP_V3) {
		struct mcast_report_builder rb;
		static uint8_t buf[1600];
		if (mcast_report_init(&rb, fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6, &h, NULL, 1500, buf, sizeof(buf),
				      collect, NULL) < 0 ||
		    mcast_report_add(&rb, s->type, &g, v, n, NULL, 0) < 0)
			die("cannot build a report");
		mcast_report_flush(&rb);
	} else if (s->op != OP_WAIT) {
		int len = mcast_v1v2_encode(fam == 4 ? MCAST_AF_INET : MCAST_AF_INET6,
					    s->op == OP_OLD_REPORT ? MCAST_MSG_REPORT : MCAST_MSG_LEAVE,
					    fam == 4 ? 2 : 1, &g, 0, &h, NULL, pkts[0], sizeof(pkts[0]));
		if (len <= 0)
			die("cannot build a v1/v2 message");
		pkt_len[0] = (size_t)len;
		npkt = 1;
	}
}

/* ---- state ------------------------------------------------------------------------ */

struct state {
	char lines[NGROUP][512];
	int n;
};

static const char *tclass(double ms)
{
	if (ms <= 0)
		return "0";
	return ms <= LMQT_MS + SLACK_MS ? "lmqt" : "gmi";
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* One line per group: "G exclude gt=gmi s=0 s=gmi" or "G include s=lmqt". */
static void engine_state(struct state *st)
{
	st->n = 0;
	for (int i = 0; i < NGROUP; i++) {
		struct mcast_addr g = G(i);
		struct mcast_router_group_info gi;
		struct mcast_router_source_info si[16];
		if (mcast_router_group(rt, 1, &g, &gi, si, 16) < 0)
			continue;
		char a[MCAST_ADDR_STRLEN];
		int k = snprintf(st->lines[st->n], 512, "%s %s", mcast_addr_str(&g, a), gi.exclude ? "exclude" : "include");
		if (gi.exclude)
			k += snprintf(st->lines[st->n] + k, (size_t)(512 - k), " gt=%s", tclass((double)gi.group_timer_ms));
		for (size_t j = 0; j < gi.nsources && j < 16; j++)
			k += snprintf(st->lines[st->n] + k, (size_t)(512 - k), " %s=%s", mcast_addr_str(&si[j].addr, a),
				      tclass((double)si[j].timer_ms));
		st->n++;
	}
	qsort(st->lines, (size_t)st->n, sizeof(st->lines[0]), cmp_line);
}

/* The bridge's port group entries ((*,G) on bp) by way of bridge -j | jq. */
static void bridge_state(struct state *st)
{
	st->n = 0;
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "bridge -n %s -d -s -j mdb show dev br0 | jq -r '.[].mdb[] | select(.port == \"bp\" and (.src == null)) | "
		 "[.grp, (.filter_mode // \"exclude\"), (.timer | tonumber), ((.source_list // []) | map(.address + \"=\" + .timer) | "
		 "join(\" \"))] | @tsv'",
		 ns_b);
	FILE *p = popen(cmd, "r");
	if (!p)
		die("popen: %s", strerror(errno));
	char line[1024];
	while (fgets(line, sizeof(line), p) && st->n < NGROUP) {
		char grp[64], mode[16], rest[900] = "";
		double gt;
		if (sscanf(line, "%63[^\t]\t%15[^\t]\t%lf\t%899[^\n]", grp, mode, &gt, rest) < 3)
			continue;
		struct mcast_addr ga;
		if (mcast_addr_parse(&ga, grp) < 0)
			continue;
		bool ours = false;
		for (int i = 0; i < NGROUP; i++) {
			struct mcast_addr x = G(i);
			ours |= mcast_addr_eq(&x, &ga);
		}
		if (!ours)
			continue;
		/* bridge-empty-include: an ALLOW or BLOCK record with no
		 * sources for a group the port has no state for leaves an
		 * empty INCLUDE port group on the bridge (until GMI); RFC 3376
		 * 6.4.1: INCLUDE ({}) is no state, and the engine keeps none.
		 * Such an entry counts as absent. */
		if (!strcmp(mode, "include") && !*rest) {
			rule_hits[RULE_EMPTY_INCLUDE]++;
			continue;
		}
		char a[MCAST_ADDR_STRLEN];
		int k = snprintf(st->lines[st->n], 512, "%s %s", mcast_addr_str(&ga, a), mode);
		if (!strcmp(mode, "exclude"))
			k += snprintf(st->lines[st->n] + k, (size_t)(512 - k), " gt=%s", tclass(gt * 1000));
		/* sources sorted as the engine lists them */
		struct {
			struct mcast_addr a;
			double t;
		} v[16];
		int nv = 0;
		for (char *sv = NULL, *t = strtok_r(rest, " ", &sv); t && nv < 16; t = strtok_r(NULL, " ", &sv)) {
			char *eq = strrchr(t, '=');
			if (!eq)
				continue;
			*eq = '\0';
			if (mcast_addr_parse(&v[nv].a, t) == 0) {
				v[nv].t = strtod(eq + 1, NULL) * 1000;
				nv++;
			}
		}
		for (int x = 0; x < nv; x++)
			for (int y = x + 1; y < nv; y++)
				if (mcast_addr_cmp(&v[y].a, &v[x].a) < 0) {
					__typeof__(v[0]) t = v[x];
					v[x] = v[y];
					v[y] = t;
				}
		for (int x = 0; x < nv; x++)
			k += snprintf(st->lines[st->n] + k, (size_t)(512 - k), " %s=%s", mcast_addr_str(&v[x].a, a),
				      tclass(v[x].t));
		st->n++;
	}
	pclose(p);
	qsort(st->lines, (size_t)st->n, sizeof(st->lines[0]), cmp_line);
}

static void state_lines(const char *title, const struct state *st)
{
	const char *v[NGROUP];
	for (int k = 0; k < st->n; k++)
		v[k] = st->lines[k];
	print_lines(title, v, st->n);
}

/* ---- sequences ------------------------------------------------------------------------ */

static void gen(struct mcast_rng *r, void *steps, int n)
{
	struct step *v = steps;
	for (int i = 0; i < n; i++) {
		struct step *s = &v[i];
		memset(s, 0, sizeof(*s));
		unsigned k = (unsigned)mcast_rng_below(r, 20);
		s->op = k < 15 ? OP_V3 : k < 17 ? OP_OLD_REPORT : k < 19 ? OP_OLD_LEAVE : OP_WAIT;
		s->host = (int)mcast_rng_below(r, NHOST);
		s->group = (int)mcast_rng_below(r, NGROUP);
		s->type = (uint8_t)(1 + mcast_rng_below(r, 6));
		s->srcmask = (unsigned)mcast_rng_below(r, 1u << NSRC);
	}
}

static void print_step(FILE *out, const void *step)
{
	const struct step *s = step;
	char a[MCAST_ADDR_STRLEN], b[MCAST_ADDR_STRLEN];
	struct mcast_addr g = G(s->group), h = H(s->host);
	switch (s->op) {
	case OP_V3:
		fprintf(out, "%s %s %s {", mcast_addr_str(&h, a), mcast_rec_type_name(s->type), mcast_addr_str(&g, b));
		for (int i = 0, n = 0; i < NSRC; i++)
			if (s->srcmask & (1u << i)) {
				struct mcast_addr x = S(i);
				fprintf(out, "%s%s", n++ ? " " : "", mcast_addr_str(&x, a));
			}
		fprintf(out, "}");
		break;
	case OP_OLD_REPORT:
	case OP_OLD_LEAVE:
		fprintf(out, "%s %s %s", mcast_addr_str(&h, a),
			s->op == OP_OLD_REPORT ? (fam == 4 ? "v2-report" : "mldv1-report") : (fam == 4 ? "leave" : "done"),
			mcast_addr_str(&g, b));
		break;
	case OP_WAIT:
		fprintf(out, "wait %d ms", LMQT_MS + 500);
		break;
	}
}

static enum rule rule_for(const struct step *s)
{
	/* bridge-no-host-compat: the bridge keeps no per-group host
	 * compatibility mode (RFC 3376 7.3.2, RFC 3810 8.3.2): an IGMPv2 /
	 * MLDv1 report leaves the group's mode and sources as they were
	 * (the RFC: IS_EX ({}), then BLOCK and TO_EX's sources ignored
	 * while the older host is present). Such reports are not sent. */
	if (s->op == OP_OLD_REPORT)
		return RULE_NO_HOST_COMPAT;
	/* bridge-old-leave-keeps-sources: an IGMPv2 leave / MLDv1 done
	 * lowers only the port group's timer on the bridge; RFC 3376 7.3.2
	 * / RFC 3810 8.3.2 make it TO_IN ({}), which also queries the
	 * forwarded sources (Q(G,A) in INCLUDE mode, Q(G,X) in EXCLUDE) and
	 * lowers their timers to LMQT (6.4.2). It applies when the group has
	 * such sources. */
	struct mcast_router_group_info gi;
	struct mcast_router_source_info si[16];
	struct mcast_addr g = G(s->group);
	if (s->op == OP_OLD_LEAVE && mcast_router_group(rt, 1, &g, &gi, si, 16) == 0)
		for (size_t i = 0; i < gi.nsources && i < 16; i++)
			if (si[i].timer_ms)
				return RULE_OLD_LEAVE_SOURCES;
	return RULE_NONE;
}

static int run(const void *steps, int n, bool report)
{
	const struct step *v = steps;
	bridge_setup();
	engine_setup();
	mcast_time_ms t0 = now_ms();
	int bad = -1;
	for (int i = 0; i < n && bad < 0; i++) {
		const struct step *s = &v[i];
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
		build(s);
		for (int k = 0; k < npkt; k++) {
			send_frame(pfd, mac_h, pkts[k], pkt_len[k]);
			mcast_wheel_advance(&wheel, now_ms() - t0);
			mcast_router_input(rt, 1, pkts[k], pkt_len[k]);
			if (qr)
				mcast_router_input(qr, 1, pkts[k], pkt_len[k]);
		}
		sleep_ms(s->op == OP_WAIT ? LMQT_MS + 500 : 50);
		mcast_wheel_advance(&wheel, now_ms() - t0);
		struct state bs, es;
		bridge_state(&bs);
		engine_state(&es);
		steps_compared++;
		bool same = bs.n == es.n;
		for (int k = 0; same && k < bs.n; k++)
			same = !strcmp(bs.lines[k], es.lines[k]);
		if (!same) {
			bad = i;
			if (report || verbose) {
				printf("  step %d: ", i + 1);
				print_step(stdout, s);
				printf("\n");
				state_lines("bridge", &bs);
				state_lines("engine", &es);
			}
		} else if (verbose) {
			printf("  ok step %d: ", i + 1);
			print_step(stdout, s);
			printf("\n");
		}
	}
	mcast_router_destroy(rt);
	rt = NULL;
	mcast_router_destroy(qr);
	qr = NULL;
	bridge_teardown();
	return bad;
}

int main(int argc, char **argv)
{
	diff_prog = "rtdiff";
	struct diff_opts o;
	diff_options(argc, argv, "bridge", "hosts", "querier", MAXSTEP, &o);
	fam = o.fam;
	ns_b = o.ns[0];
	ns_h = o.ns[1];
	querier = o.flag;
	verbose = o.verbose;
	setvbuf(stdout, NULL, _IOLBF, 0);
	fd_self = diff_self_ns();
	fd_b = open_ns(ns_b);
	fd_h = open_ns(ns_h);
	char label[48];
	snprintf(label, sizeof(label), "rtdiff IPv%d %s", fam, querier ? "querier" : "non-querier");
	const struct diff_prog_ops ops = { label, sizeof(struct step), 104729, (uint64_t)fam * 2 + querier,
					   gen, run, print_step, NULL, rule_names, rule_hits, RULE__N };
	return diff_sequences(&o, &ops, &steps_compared) ? 1 : 0;
}
