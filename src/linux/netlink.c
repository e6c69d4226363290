/*
 * DOC: links and addresses from rtnetlink (libmnl)
 *
 * One socket subscribed to RTMGRP_LINK and the IPv4/IPv6 address groups.
 * At start a dump of every link, then of every address; afterwards the
 * notifications as they come. Interfaces that appear, go down, come back,
 * are renamed or change address (PPP, VLAN, DHCP) all arrive here.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <linux/fib_rules.h>
#include <linux/mroute.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linux.h"

struct lk_nl {
	struct mnl_socket *nl;       /* notifications, non-blocking, on the event loop */
	struct mnl_socket *dump;     /* requests and their answers, with a receive deadline */
	uint32_t seq;
	char buf[32768]; /* MNL_SOCKET_BUFFER_SIZE is not a constant expression */
};

struct lk_nl *lk_nl_open(char *err, size_t errlen)
{
	struct lk_nl *n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!n->nl || mnl_socket_bind(n->nl, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR,
				      MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		if (n->nl)
			mnl_socket_close(n->nl);
		free(n);
		return NULL;
	}
	/* Dumps go through a second socket that joins no group: the answer
	 * is all it ever reads. The kernel builds a dump's parts inside
	 * recvmsg(), so the deadline only guards against a kernel that does
	 * not answer at all. */
	struct timeval tv = { 1, 0 };
	n->dump = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!n->dump || mnl_socket_bind(n->dump, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(n->dump), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		snprintf(err, errlen, "netlink dump socket: %s", strerror(errno));
		lk_nl_close(n);
		return NULL;
	}
	n->seq = (uint32_t)time(NULL);
	return n;
}

void lk_nl_close(struct lk_nl *n)
{
	if (!n)
		return;
	if (n->nl)
		mnl_socket_close(n->nl);
	if (n->dump)
		mnl_socket_close(n->dump);
	free(n);
}

int lk_nl_fd(const struct lk_nl *n)
{
	return mnl_socket_get_fd(n->nl);
}

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_STRING) < 0)
		return MNL_CB_OK;
	if (type == IFLA_MTU && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int addr_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int on_msg(const struct nlmsghdr *nh, void *data)
{
	const struct lk_nl_handler *h = data;
	if (nh->nlmsg_type == RTM_NEWLINK || nh->nlmsg_type == RTM_DELLINK) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nh);
		const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
		mnl_attr_parse(nh, sizeof(*ifi), link_attr, tb);
		struct lk_link l = { .ifindex = (unsigned)ifi->ifi_index };
		if (tb[IFLA_IFNAME])
			snprintf(l.name, sizeof(l.name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
		l.up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
		l.multicast = ifi->ifi_flags & IFF_MULTICAST;
		l.mtu = tb[IFLA_MTU] ? mnl_attr_get_u32(tb[IFLA_MTU]) : 1500;
		if (h->link)
			h->link(h->ctx, &l, nh->nlmsg_type == RTM_DELLINK);
	} else if (nh->nlmsg_type == RTM_NEWADDR || nh->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nh);
		const struct nlattr *tb[IFA_MAX + 1] = { 0 };
		mnl_attr_parse(nh, sizeof(*ifa), addr_attr, tb);
		struct lk_addr a = { .ifindex = ifa->ifa_index };
		/* IFA_LOCAL is our address on point-to-point links (PPP),
		 * where IFA_ADDRESS is the peer's. */
		const struct nlattr *at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
		if (!at)
			return MNL_CB_OK;
		uint32_t flags = ifa->ifa_flags;
		if (tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4)
			flags = mnl_attr_get_u32(tb[IFA_FLAGS]);
		if (ifa->ifa_family == AF_INET && mnl_attr_get_payload_len(at) == 4) {
			uint32_t v;
			memcpy(&v, mnl_attr_get_payload(at), 4);
			mcast_addr_from_u32(&a.addr, __builtin_bswap32(v));
		} else if (ifa->ifa_family == AF_INET6 && mnl_attr_get_payload_len(at) == 16) {
			memcpy(a.addr.b, mnl_attr_get_payload(at), 16);
		} else {
			return MNL_CB_OK;
		}
		a.secondary = flags & IFA_F_SECONDARY;
		a.tentative = flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED);
		if (h->addr)
			h->addr(h->ctx, &a, nh->nlmsg_type == RTM_DELADDR);
	}
	return MNL_CB_OK;
}

/* Sends a dump request (type, family) on the dump socket and runs cb on
 * every message of the answer until NLMSG_DONE. */
static int dump_run(struct lk_nl *n, int type, uint8_t family, size_t hdr, mnl_cb_t cb, void *data)
{
	struct nlmsghdr *nh = mnl_nlmsg_put_header(n->buf);
	nh->nlmsg_type = (uint16_t)type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh->nlmsg_seq = ++n->seq;
	uint8_t *fam = mnl_nlmsg_put_extra_header(nh, hdr);
	fam[0] = family; /* rtgen_family, rtm_family: the first byte of both headers */
	unsigned portid = mnl_socket_get_portid(n->dump);
	if (mnl_socket_sendto(n->dump, nh, nh->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = n->seq;
	for (;;) {
		ssize_t r = mnl_socket_recvfrom(n->dump, n->buf, sizeof(n->buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		int rc = mnl_cb_run(n->buf, (size_t)r, seq, portid, cb, data);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

static int dump(struct lk_nl *n, int type, const struct lk_nl_handler *h)
{
	return dump_run(n, type, AF_UNSPEC, sizeof(struct rtgenmsg), on_msg, (void *)h);
}

int lk_nl_dump(struct lk_nl *n, const struct lk_nl_handler *h)
{
	int rc = dump(n, RTM_GETLINK, h);
	return rc < 0 ? rc : dump(n, RTM_GETADDR, h);
}

int lk_nl_read(struct lk_nl *n, const struct lk_nl_handler *h)
{
	/* a bounded batch per call: the rest waits for the next turn of
	 * the loop (the socket stays readable) */
	for (int k = 0; k < 64; k++) {
		ssize_t r = mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		if (mnl_cb_run(n->buf, (size_t)r, 0, 0, on_msg, (void *)h) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* ---- the kernel's forwarding cache --------------------------------------- */

struct mfc_dump {
	enum mcast_family f;
	uint32_t table;
	void (*fn)(void *ctx, const struct lk_mfc *e);
	void *ctx;
};

static int route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static bool get_addr(const struct nlattr *a, enum mcast_family f, struct mcast_addr *out)
{
	if (f == MCAST_AF_INET) {
		*out = mcast_addr_any4;
		if (!a)
			return true;
		if (mnl_attr_get_payload_len(a) != 4)
			return false;
		uint32_t v;
		memcpy(&v, mnl_attr_get_payload(a), 4);
		mcast_addr_from_u32(out, __builtin_bswap32(v));
		return true;
	}
	*out = mcast_addr_any6;
	if (!a)
		return true;
	if (mnl_attr_get_payload_len(a) != 16)
		return false;
	memcpy(out->b, mnl_attr_get_payload(a), 16);
	return true;
}

static int on_route(const struct nlmsghdr *nh, void *data)
{
	const struct mfc_dump *md = data;
	if (nh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nh);
	if (rtm->rtm_flags & RTNH_F_UNRESOLVED)
		return MNL_CB_OK; /* the kernel's unresolved queue, not an entry */
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	mnl_attr_parse(nh, sizeof(*rtm), route_attr, tb);
	uint32_t table = rtm->rtm_table;
	if (tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == 4)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != md->table)
		return MNL_CB_OK;
	static struct lk_mfc e;
	memset(&e, 0, sizeof(e));
	if (!get_addr(tb[RTA_SRC], md->f, &e.source) || !get_addr(tb[RTA_DST], md->f, &e.group))
		return MNL_CB_OK;
	if (tb[RTA_IIF] && mnl_attr_get_payload_len(tb[RTA_IIF]) == 4)
		e.iif = mnl_attr_get_u32(tb[RTA_IIF]);
	if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nhp = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		int left = (int)mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
		while (left >= (int)sizeof(*nhp) && nhp->rtnh_len >= sizeof(*nhp) && nhp->rtnh_len <= left &&
		       e.noifs < LK_MAXVIFS) {
			unsigned k = e.noifs++;
			/* sorted insert by ifindex */
			while (k > 0 && e.oif[k - 1].ifindex > (unsigned)nhp->rtnh_ifindex) {
				e.oif[k] = e.oif[k - 1];
				k--;
			}
			e.oif[k].ifindex = (unsigned)nhp->rtnh_ifindex;
			e.oif[k].ttl = nhp->rtnh_hops;
			left -= RTNH_ALIGN(nhp->rtnh_len);
			nhp = RTNH_NEXT(nhp);
		}
	}
	if (tb[RTA_MFC_STATS] && mnl_attr_get_payload_len(tb[RTA_MFC_STATS]) >= sizeof(struct rta_mfc_stats)) {
		struct rta_mfc_stats st;
		memcpy(&st, mnl_attr_get_payload(tb[RTA_MFC_STATS]), sizeof(st));
		e.pkts = st.mfcs_packets;
		e.bytes = st.mfcs_bytes;
		e.wrong_if = st.mfcs_wrong_if;
	}
	md->fn(md->ctx, &e);
	return MNL_CB_OK;
}

int lk_nl_mfc_dump(struct lk_nl *n, enum mcast_family f, uint32_t table, void (*fn)(void *ctx, const struct lk_mfc *e),
		   void *ctx)
{
	/* the entries name their table: the default one is 253 for IPv4
	 * (RT_TABLE_DEFAULT) but 254 for IPv6 (RT6_TABLE_DFLT) */
	table = table ? table : LK_TABLE_DEFAULT;
	if (f == MCAST_AF_INET6 && table == LK_TABLE_DEFAULT)
		table = LK_TABLE6_DEFAULT;
	struct mfc_dump md = { f, table, fn, ctx };
	return dump_run(n, RTM_GETROUTE, f == MCAST_AF_INET ? RTNL_FAMILY_IPMR : RTNL_FAMILY_IP6MR,
			sizeof(struct rtmsg), on_route, &md);
}

/* ---- the kernel's VIFs ----------------------------------------------------- */

int lk_vif_read(enum mcast_family f, struct lk_vif vifs[LK_MAXVIFS])
{
	bool v4 = f == MCAST_AF_INET;
	FILE *in = fopen(v4 ? "/proc/net/ip_mr_vif" : "/proc/net/ip6_mr_vif", "re");
	memset(vifs, 0, sizeof(*vifs) * LK_MAXVIFS);
	if (!in)
		return errno == ENOENT ? 0 : -errno; /* no file: the family's routing is not built in */
	char line[256];
	if (!fgets(line, sizeof(line), in)) { /* the header */
		fclose(in);
		return 0;
	}
	while (fgets(line, sizeof(line), in)) {
		int idx;
		struct lk_vif v = { .used = true };
		unsigned long long bi, pi, bo, po;
		unsigned flags, local = 0;
		int n = sscanf(line, "%d %15s %llu %llu %llu %llu %x %x", &idx, v.name, &bi, &pi, &bo, &po, &flags,
			       &local);
		if (n < 7 || idx < 0 || idx >= LK_MAXVIFS)
			continue;
		v.bytes_in = bi;
		v.pkts_in = pi;
		v.bytes_out = bo;
		v.pkts_out = po;
		v.flags = flags;
		v.local = local;
		vifs[idx] = v;
	}
	int rc = ferror(in) ? -EIO : 0;
	fclose(in);
	return rc;
}

/* ---- the policy rules of a table (ip mrule) -------------------------------- */

/* One request and its acknowledgement on the dump socket. */
static int request_ack(struct lk_nl *n, struct nlmsghdr *nh)
{
	nh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++n->seq;
	unsigned portid = mnl_socket_get_portid(n->dump);
	if (mnl_socket_sendto(n->dump, nh, nh->nlmsg_len) < 0)
		return -errno;
	uint8_t buf[8192];
	for (;;) {
		ssize_t r = mnl_socket_recvfrom(n->dump, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		int rc = mnl_cb_run(buf, (size_t)r, n->seq, portid, NULL, NULL);
		if (rc == MNL_CB_STOP || rc == MNL_CB_OK)
			return 0;
		return -errno;
	}
}

static struct nlmsghdr *rule_msg(uint8_t *buf, int type, enum mcast_family f, uint32_t table, uint32_t prio)
{
	struct nlmsghdr *nh = mnl_nlmsg_put_header(buf);
	nh->nlmsg_type = (uint16_t)type;
	struct fib_rule_hdr *h = mnl_nlmsg_put_extra_header(nh, sizeof(*h));
	h->family = f == MCAST_AF_INET ? RTNL_FAMILY_IPMR : RTNL_FAMILY_IP6MR;
	h->action = FR_ACT_TO_TBL;
	h->table = table < 256 ? (uint8_t)table : 0;
	mnl_attr_put_u32(nh, FRA_TABLE, table);
	mnl_attr_put_u32(nh, FRA_PRIORITY, prio);
	return nh;
}

struct rule_walk {
	uint32_t table;
	uint32_t prio[256];
	char iif[256][IFNAMSIZ];
	size_t n;
};

static int rule_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, FRA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int on_rule(const struct nlmsghdr *nh, void *data)
{
	struct rule_walk *w = data;
	if (nh->nlmsg_type != RTM_NEWRULE)
		return MNL_CB_OK;
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nh);
	const struct nlattr *tb[FRA_MAX + 1] = { 0 };
	mnl_attr_parse(nh, sizeof(*h), rule_attr, tb);
	uint32_t table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : h->table;
	if (table != w->table || w->n == 256)
		return MNL_CB_OK;
	w->prio[w->n] = tb[FRA_PRIORITY] ? mnl_attr_get_u32(tb[FRA_PRIORITY]) : 0;
	snprintf(w->iif[w->n], IFNAMSIZ, "%s", tb[FRA_IIFNAME] ? mnl_attr_get_str(tb[FRA_IIFNAME]) : "");
	w->n++;
	return MNL_CB_OK;
}

int lk_nl_rules(struct lk_nl *n, enum mcast_family f, uint32_t table, const char *const *ifnames, size_t count,
		bool add)
{
	uint8_t buf[8192];
	if (add) {
		for (size_t i = 0; i < count; i++) {
			/* before the kernel's own "lookup default" rule (32767) */
			struct nlmsghdr *nh = rule_msg(buf, RTM_NEWRULE, f, table, 1000);
			nh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
			mnl_attr_put_strz(nh, FRA_IIFNAME, ifnames[i]);
			int rc = request_ack(n, nh);
			if (rc < 0 && rc != -EEXIST)
				return rc;
		}
		return 0;
	}
	/* every rule of the table goes: ours, and any a killed mcastd left */
	static struct rule_walk w;
	memset(&w, 0, sizeof(w));
	w.table = table;
	int rc = dump_run(n, RTM_GETRULE, f == MCAST_AF_INET ? RTNL_FAMILY_IPMR : RTNL_FAMILY_IP6MR,
			  sizeof(struct fib_rule_hdr), on_rule, &w);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < w.n; i++) {
		/* the exact rule: its priority and input interface */
		struct nlmsghdr *nh = rule_msg(buf, RTM_DELRULE, f, table, w.prio[i]);
		nh->nlmsg_flags = 0;
		if (w.iif[i][0])
			mnl_attr_put_strz(nh, FRA_IIFNAME, w.iif[i]);
		int r = request_ack(n, nh);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	return 0;
}
