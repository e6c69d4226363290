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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linux.h"

struct lk_nl {
	struct mnl_socket *nl;
	unsigned portid;
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
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (uint32_t)time(NULL);
	return n;
}

void lk_nl_close(struct lk_nl *n)
{
	if (!n)
		return;
	mnl_socket_close(n->nl);
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

static int dump(struct lk_nl *n, int type, const struct lk_nl_handler *h)
{
	struct nlmsghdr *nh = mnl_nlmsg_put_header(n->buf);
	nh->nlmsg_type = (uint16_t)type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nh->nlmsg_seq = ++n->seq;
	struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(n->nl, nh, nh->nlmsg_len) < 0)
		return -errno;
	uint32_t seq = n->seq;
	for (;;) {
		ssize_t r = mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				struct timespec ts = { 0, 1000000 };
				nanosleep(&ts, NULL);
				continue;
			}
			return -errno;
		}
		/* notifications (seq 0) may come between the dump's parts */
		int rc = mnl_cb_run(n->buf, (size_t)r, 0, 0, on_msg, (void *)h);
		(void)seq;
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
		const struct nlmsghdr *last = (const void *)n->buf;
		int left = (int)r;
		bool done = false;
		while (mnl_nlmsg_ok(last, left)) {
			if (last->nlmsg_type == NLMSG_DONE && last->nlmsg_seq == seq)
				done = true;
			last = mnl_nlmsg_next(last, &left);
		}
		if (done)
			return 0;
	}
}

int lk_nl_dump(struct lk_nl *n, const struct lk_nl_handler *h)
{
	int rc = dump(n, RTM_GETLINK, h);
	return rc < 0 ? rc : dump(n, RTM_GETADDR, h);
}

int lk_nl_read(struct lk_nl *n, const struct lk_nl_handler *h)
{
	for (;;) {
		ssize_t r = mnl_socket_recvfrom(n->nl, n->buf, sizeof(n->buf));
		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (mnl_cb_run(n->buf, (size_t)r, 0, 0, on_msg, (void *)h) < 0 && errno != ENOENT)
			return -errno;
	}
}
