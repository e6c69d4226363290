/*
 * DOC: the kernel's multicast routing sockets
 *
 * IPv4: a raw IGMP socket with MRT_INIT. It receives every IGMP message
 * the kernel delivers locally (reports with Router Alert reach it through
 * the RA chain, IGMPv1 reports through ip_mr_input, IGMPv3 reports and
 * leaves because we join 224.0.0.22 and 224.0.0.2) with the whole IP
 * header, and the kernel's upcalls (struct igmpmsg, protocol field 0). We
 * send with IP_HDRINCL: libmcast builds the header with Router Alert and
 * TTL 1; IP_PKTINFO picks the interface.
 *
 * IPv6: a raw ICMPv6 socket with MRT6_INIT, filtered to the MLD types.
 * The kernel hands MLD messages with Router Alert to a forwarding router
 * for groups beyond link scope; for ff02::16 and ff02::2 we join. The
 * IPv6 header is not delivered: we rebuild it from the ancillary data
 * (source, destination, hop limit, the Hop-by-Hop options with the Router
 * Alert) so the router engine checks exactly what it checks in the
 * simulator. Upcalls (struct mrt6msg) start with a zero byte, which no
 * ICMPv6 type has. We send the ICMPv6 message; the kernel adds the
 * header with our link-local source (IPV6_PKTINFO), hop limit 1 and the
 * Hop-by-Hop Router Alert option (IPV6_HOPOPTS), and the checksum.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include "linux.h"
#include "mcast/wire.h"

static int fail(char *err, size_t len, const char *what)
{
	int e = errno;
	snprintf(err, len, "%s: %s", what, strerror(e));
	return -e;
}

static void to_in(const struct mcast_addr *a, struct in_addr *out)
{
	out->s_addr = htonl(mcast_addr_u32(a));
}

static void to_in6(const struct mcast_addr *a, struct in6_addr *out)
{
	memcpy(out, a->b, 16);
}

static void from_in6(const struct in6_addr *in, struct mcast_addr *a)
{
	memcpy(a->b, in, 16);
}

/* Report storms (a LAN answering a general query, a switch flooding
 * reports) arrive faster than one read at a time: a deep receive queue
 * (CAP_NET_ADMIN may exceed net.core.rmem_max) keeps them. */
static int deep_queue(int fd)
{
	int size = 16 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0)
		return 0;
	int e = errno;
	/* without CAP_NET_ADMIN: as deep as net.core.rmem_max allows */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		e = errno;
	return -e;
}

int lk_mroute_open(struct lk_mroute *k, enum mcast_family f, uint32_t table, char *err, size_t errlen)
{
	memset(k, 0, sizeof(*k));
	k->family = f;
	k->table = table ? table : LK_TABLE_DEFAULT;
	int one = 1, zero = 0;
	bool v4 = f == MCAST_AF_INET;
	/* The socket, and the kernel's table with it (MRT_INIT / MRT6_INIT). */
	k->fd = socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       v4 ? IPPROTO_IGMP : IPPROTO_ICMPV6);
	if (k->fd < 0)
		return fail(err, errlen, v4 ? "raw IGMP socket" : "raw ICMPv6 socket");
	/* another table than the default one: chosen before MRT_INIT */
	if (k->table != LK_TABLE_DEFAULT &&
	    setsockopt(k->fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? MRT_TABLE : MRT6_TABLE, &k->table, sizeof(k->table)) < 0) {
		int rc = fail(err, errlen, errno == ENOPROTOOPT ? "choosing a multicast routing table (the kernel has no "
								  "CONFIG_IP_MROUTE_MULTIPLE_TABLES)"
								: "choosing a multicast routing table (MRT_TABLE)");
		close(k->fd);
		k->fd = -1;
		return rc;
	}
	if (setsockopt(k->fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? MRT_INIT : MRT6_INIT, &one, sizeof(one)) < 0) {
		int rc = fail(err, errlen, errno == EADDRINUSE ? "taking the kernel's multicast routing table "
							       "(another multicast router runs)"
							     : "taking the kernel's multicast routing table");
		close(k->fd);
		k->fd = -1;
		return rc;
	}
	k->queue_err = deep_queue(k->fd);
	/* What each family needs on top; one list each, one loop. */
	struct icmp6_filter flt;
	ICMP6_FILTER_SETBLOCKALL(&flt);
	ICMP6_FILTER_SETPASS(130, &flt); /* query */
	ICMP6_FILTER_SETPASS(131, &flt); /* MLDv1 report */
	ICMP6_FILTER_SETPASS(132, &flt); /* done */
	ICMP6_FILTER_SETPASS(143, &flt); /* MLDv2 report */
	struct opt {
		int level, name;
		const void *v;
		socklen_t len;
	};
	const struct opt o4[] = {
		{ IPPROTO_IP, MRT_ASSERT, &one, sizeof(one) }, /* WRONGVIF upcalls */
		{ IPPROTO_IP, IP_PKTINFO, &one, sizeof(one) },
		{ IPPROTO_IP, IP_HDRINCL, &one, sizeof(one) }, /* libmcast writes the header */
		{ IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof(zero) },
	};
	const struct opt o6[] = {
		{ IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof(flt) },
		{ IPPROTO_IPV6, MRT6_ASSERT, &one, sizeof(one) },
		{ IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one) },
		{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one) },
		{ IPPROTO_IPV6, IPV6_RECVHOPOPTS, &one, sizeof(one) },
		{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero) },
		{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &one, sizeof(one) }, /* hop limit 1 */
	};
	const struct opt *o = v4 ? o4 : o6;
	size_t n = v4 ? sizeof(o4) / sizeof(o4[0]) : sizeof(o6) / sizeof(o6[0]);
	for (size_t i = 0; i < n; i++)
		if (setsockopt(k->fd, o[i].level, o[i].name, o[i].v, o[i].len) < 0) {
			int rc = fail(err, errlen, v4 ? "IGMP socket options" : "ICMPv6 socket options");
			lk_mroute_close(k);
			return rc;
		}
	return 0;
}

int lk_mroute_close(struct lk_mroute *k)
{
	if (k->fd < 0)
		return 0;
	int one = 1;
	/* Closing alone is enough (the kernel flushes on release); MRT_DONE
	 * says it explicitly while we are still here. */
	int rc = k->family == MCAST_AF_INET ? setsockopt(k->fd, IPPROTO_IP, MRT_DONE, &one, sizeof(one))
					    : setsockopt(k->fd, IPPROTO_IPV6, MRT6_DONE, &one, sizeof(one));
	int e = rc < 0 ? errno : 0;
	if (close(k->fd) < 0 && !e)
		e = errno;
	k->fd = -1;
	return -e;
}

static int sockopt(struct lk_mroute *k, int level, int name, const void *v, socklen_t len)
{
	if (k->fd < 0)
		return -EBADF;
	if (setsockopt(k->fd, level, name, v, len) < 0) {
		k->errors++;
		return -errno;
	}
	return 0;
}

int lk_vif_add(struct lk_mroute *k, uint16_t vif, unsigned ifindex, uint8_t threshold)
{
	if (vif >= LK_MAXVIFS)
		return -ENFILE;
	if (k->family == MCAST_AF_INET) {
		struct vifctl v = { .vifc_vifi = vif, .vifc_flags = VIFF_USE_IFINDEX,
				    .vifc_threshold = threshold };
		v.vifc_lcl_ifindex = (int)ifindex;
		return sockopt(k, IPPROTO_IP, MRT_ADD_VIF, &v, sizeof(v));
	}
	struct mif6ctl m = { .mif6c_mifi = vif, .vifc_threshold = threshold, .mif6c_pifi = (uint16_t)ifindex };
	return sockopt(k, IPPROTO_IPV6, MRT6_ADD_MIF, &m, sizeof(m));
}

int lk_vif_del(struct lk_mroute *k, uint16_t vif)
{
	if (k->family == MCAST_AF_INET) {
		struct vifctl v = { .vifc_vifi = vif };
		return sockopt(k, IPPROTO_IP, MRT_DEL_VIF, &v, sizeof(v));
	}
	mifi_t m = vif;
	return sockopt(k, IPPROTO_IPV6, MRT6_DEL_MIF, &m, sizeof(m));
}

int lk_mfc_set(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g,
	       uint16_t iif, const struct mcast_mfc_oif *oifs, size_t n)
{
	if (iif >= LK_MAXVIFS)
		return -ENFILE;
	if (k->family == MCAST_AF_INET) {
		struct mfcctl m;
		memset(&m, 0, sizeof(m));
		to_in(s, &m.mfcc_origin);
		to_in(g, &m.mfcc_mcastgrp);
		m.mfcc_parent = iif;
		memset(m.mfcc_ttls, 255, sizeof(m.mfcc_ttls));
		for (size_t i = 0; i < n; i++)
			if (oifs[i].vif < LK_MAXVIFS)
				m.mfcc_ttls[oifs[i].vif] = oifs[i].ttl;
		return sockopt(k, IPPROTO_IP, MRT_ADD_MFC, &m, sizeof(m));
	}
	struct mf6cctl m;
	memset(&m, 0, sizeof(m));
	m.mf6cc_origin.sin6_family = AF_INET6;
	to_in6(s, &m.mf6cc_origin.sin6_addr);
	m.mf6cc_mcastgrp.sin6_family = AF_INET6;
	to_in6(g, &m.mf6cc_mcastgrp.sin6_addr);
	m.mf6cc_parent = iif;
	for (size_t i = 0; i < n; i++)
		if (oifs[i].vif < LK_MAXVIFS)
			IF_SET(oifs[i].vif, &m.mf6cc_ifset);
	return sockopt(k, IPPROTO_IPV6, MRT6_ADD_MFC, &m, sizeof(m));
}

int lk_mfc_del(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g)
{
	if (k->family == MCAST_AF_INET) {
		struct mfcctl m;
		memset(&m, 0, sizeof(m));
		to_in(s, &m.mfcc_origin);
		to_in(g, &m.mfcc_mcastgrp);
		return sockopt(k, IPPROTO_IP, MRT_DEL_MFC, &m, sizeof(m));
	}
	struct mf6cctl m;
	memset(&m, 0, sizeof(m));
	m.mf6cc_origin.sin6_family = AF_INET6;
	to_in6(s, &m.mf6cc_origin.sin6_addr);
	m.mf6cc_mcastgrp.sin6_family = AF_INET6;
	to_in6(g, &m.mf6cc_mcastgrp.sin6_addr);
	return sockopt(k, IPPROTO_IPV6, MRT6_DEL_MFC, &m, sizeof(m));
}

int lk_vif_read_ioctl(const struct lk_mroute *k, struct lk_vif vifs[LK_MAXVIFS])
{
	memset(vifs, 0, LK_MAXVIFS * sizeof(*vifs));
	for (unsigned v = 0; v < LK_MAXVIFS; v++) {
		struct lk_vif *x = &vifs[v];
		if (k->family == MCAST_AF_INET) {
			struct sioc_vif_req r = { .vifi = (vifi_t)v };
			if (ioctl(k->fd, SIOCGETVIFCNT, &r) < 0) {
				/* no such VIF; EINVAL: beyond the highest one */
				if (errno == EADDRNOTAVAIL || errno == EINVAL)
					continue;
				return -errno;
			}
			*x = (struct lk_vif){ .used = true, .pkts_in = r.icount, .pkts_out = r.ocount, .bytes_in = r.ibytes,
					      .bytes_out = r.obytes };
		} else {
			struct sioc_mif_req6 r = { .mifi = (mifi_t)v };
			if (ioctl(k->fd, SIOCGETMIFCNT_IN6, &r) < 0) {
				if (errno == EADDRNOTAVAIL || errno == EINVAL)
					continue;
				return -errno;
			}
			*x = (struct lk_vif){ .used = true, .pkts_in = r.icount, .pkts_out = r.ocount, .bytes_in = r.ibytes,
					      .bytes_out = r.obytes };
		}
	}
	return 0;
}

int lk_mfc_stats(struct lk_mroute *k, const struct mcast_addr *s, const struct mcast_addr *g,
		 struct mcast_mfc_stats *st)
{
	if (k->fd < 0)
		return -EBADF;
	memset(st, 0, sizeof(*st));
	if (k->family == MCAST_AF_INET) {
		struct sioc_sg_req r;
		memset(&r, 0, sizeof(r));
		to_in(s, &r.src);
		to_in(g, &r.grp);
		if (ioctl(k->fd, SIOCGETSGCNT, &r) < 0)
			return -errno;
		st->pkts = r.pktcnt;
		st->bytes = r.bytecnt;
		st->wrong_if = r.wrong_if;
		return 0;
	}
	struct sioc_sg_req6 r;
	memset(&r, 0, sizeof(r));
	r.src.sin6_family = AF_INET6;
	to_in6(s, &r.src.sin6_addr);
	r.grp.sin6_family = AF_INET6;
	to_in6(g, &r.grp.sin6_addr);
	if (ioctl(k->fd, SIOCGETSGCNT_IN6, &r) < 0)
		return -errno;
	st->pkts = r.pktcnt;
	st->bytes = r.bytecnt;
	st->wrong_if = r.wrong_if;
	return 0;
}

int lk_link_joins(enum mcast_family f, unsigned ifindex, const struct mcast_addr *g, size_t n, char *err,
		  size_t errlen)
{
	int fd = socket(f == MCAST_AF_INET ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(err, errlen, "socket");
	for (size_t k = 0; k < n; k++) {
		int rc;
		if (f == MCAST_AF_INET) {
			struct ip_mreqn m = { .imr_ifindex = (int)ifindex };
			to_in(&g[k], &m.imr_multiaddr);
			rc = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m));
		} else {
			struct ipv6_mreq m = { .ipv6mr_interface = ifindex };
			to_in6(&g[k], &m.ipv6mr_multiaddr);
			rc = setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m));
		}
		if (rc < 0) {
			char a[MCAST_ADDR_STRLEN], what[80];
			snprintf(what, sizeof(what), "joining %s", mcast_addr_str(&g[k], a));
			rc = fail(err, errlen, what);
			close(fd);
			return rc;
		}
	}
	return fd;
}

/* What one IPv4 datagram or upcall of n bytes in buf, with its ancillary
 * data in mh, is. */
static void parse_v4(uint8_t *buf, ssize_t n, struct msghdr *mh, struct lk_msg *msg)
{
	if ((size_t)n < sizeof(struct igmpmsg))
		return; /* shorter than any IP header with an IGMP message */
	const struct igmpmsg *im = (const void *)buf;
	if (im->im_mbz == 0) {
		/* an upcall: the IP protocol field is zero */
		msg->kind = LK_UPCALL;
		msg->up.type = im->im_msgtype;
		msg->up.vif = (uint16_t)(im->im_vif | (im->im_vif_hi << 8));
		mcast_addr_from_u32(&msg->up.source, ntohl(im->im_src.s_addr));
		mcast_addr_from_u32(&msg->up.group, ntohl(im->im_dst.s_addr));
		msg->up.pkt = buf;
		msg->up.len = (size_t)n;
		return;
	}
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			msg->ifindex = (unsigned)pi.ipi_ifindex;
		}
	if (!msg->ifindex)
		return;
	msg->kind = LK_PACKET;
	msg->pkt = buf;
	msg->len = (size_t)n;
}

/* Ancillary data room: IPv4's packet info, or IPv6's packet info, hop
 * limit and hop-by-hop options (up to 2048 bytes as the kernel gives). */
union lk_ctl {
	struct cmsghdr h;
	uint8_t v4[CMSG_SPACE(sizeof(struct in_pktinfo))];
	uint8_t v6[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(2048)];
};

/* IPv6 messages land after room for the header we rebuild in front of
 * them: IPv6 (40) and Hop-by-Hop options (up to 2048). */
#define V6_ROOM (40 + 2048)



/* What one IPv6 message of n bytes at buf + V6_ROOM is; a datagram gets
 * its IPv6 header (and hop-by-hop header) rebuilt in front of it. */
static void parse_v6(uint8_t *buf, ssize_t n, struct msghdr *mh, const struct sockaddr_in6 *from,
		     struct lk_msg *msg)
{
	const size_t room = V6_ROOM;
	const uint8_t *p = buf + room;
	if ((size_t)n >= sizeof(struct mrt6msg) && p[0] == 0) {
		const struct mrt6msg *im = (const void *)p;
		msg->kind = LK_UPCALL;
		msg->up.type = im->im6_msgtype;
		msg->up.vif = im->im6_mif;
		from_in6(&im->im6_src, &msg->up.source);
		from_in6(&im->im6_dst, &msg->up.group);
		msg->up.pkt = p;
		msg->up.len = (size_t)n;
		return;
	}
	struct in6_pktinfo pi;
	bool have_pi = false;
	int hlim = -1;
	const uint8_t *hbh = NULL;
	size_t hbh_len = 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_PKTINFO) {
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			have_pi = true;
		} else if (cm->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(&hlim, CMSG_DATA(cm), sizeof(hlim));
		} else if (cm->cmsg_type == IPV6_HOPOPTS) {
			hbh = CMSG_DATA(cm);
			hbh_len = cm->cmsg_len - CMSG_LEN(0);
		}
	}
	if (!have_pi || hlim < 0 || n > 65535)
		return;
	if (hbh && (hbh_len < 8 || hbh_len > 2048 || hbh_len != (size_t)(hbh[1] + 1) * 8))
		hbh = NULL, hbh_len = 0;
	size_t hdr = 40 + hbh_len;
	uint8_t *ip = buf + room - hdr;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	size_t plen = hbh_len + (size_t)n;
	ip[4] = (uint8_t)(plen >> 8);
	ip[5] = (uint8_t)plen;
	ip[6] = hbh ? 0 : IPPROTO_ICMPV6;
	ip[7] = (uint8_t)hlim;
	memcpy(ip + 8, &from->sin6_addr, 16);
	memcpy(ip + 24, &pi.ipi6_addr, 16);
	if (hbh) {
		memcpy(ip + 40, hbh, hbh_len);
		ip[40] = IPPROTO_ICMPV6;
	}
	msg->kind = LK_PACKET;
	msg->ifindex = pi.ipi6_ifindex;
	msg->pkt = ip;
	msg->len = hdr + (size_t)n;
}

struct lk_rx {
	struct mmsghdr mh[LK_RX_BATCH];
	struct iovec iov[LK_RX_BATCH];
	struct sockaddr_in6 from[LK_RX_BATCH];
	union lk_ctl ctl[LK_RX_BATCH];
	uint8_t buf[LK_RX_BATCH][LK_RX_SLOT];
};

struct lk_rx *lk_rx_new(void)
{
	return calloc(1, sizeof(struct lk_rx));
}

void lk_rx_free(struct lk_rx *rx)
{
	free(rx);
}

int lk_mroute_recv_batch(struct lk_mroute *k, struct lk_rx *rx, struct lk_msg *msgs, size_t *n,
			 uint64_t *truncated)
{
	bool v4 = k->family == MCAST_AF_INET;
	size_t off = v4 ? 0 : V6_ROOM;
	for (size_t i = 0; i < LK_RX_BATCH; i++) {
		/* the kernel writes the lengths back: set them for every call */
		rx->iov[i] = (struct iovec){ rx->buf[i] + off, LK_RX_SLOT - off };
		rx->mh[i].msg_hdr = (struct msghdr){
			.msg_name = v4 ? NULL : &rx->from[i],
			.msg_namelen = v4 ? 0 : sizeof(rx->from[i]),
			.msg_iov = &rx->iov[i],
			.msg_iovlen = 1,
			.msg_control = &rx->ctl[i],
			.msg_controllen = v4 ? sizeof(rx->ctl[i].v4) : sizeof(rx->ctl[i].v6),
		};
	}
	*n = 0;
	int got = recvmmsg(k->fd, rx->mh, LK_RX_BATCH, 0, NULL);
	if (got < 0)
		return -errno;
	for (size_t i = 0; i < (size_t)got; i++) {
		struct lk_msg *msg = &msgs[i];
		memset(msg, 0, sizeof(*msg));
		struct msghdr *mh = &rx->mh[i].msg_hdr;
		/* A datagram larger than a slot (a jumbo frame's report is not)
		 * arrives cut: dropped and counted, never parsed half. */
		if (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
			(*truncated)++;
			continue;
		}
		ssize_t len = (ssize_t)rx->mh[i].msg_len;
		if (v4)
			parse_v4(rx->buf[i], len, mh, msg);
		else
			parse_v6(rx->buf[i], len, mh, &rx->from[i], msg);
	}
	*n = (size_t)got;
	return 0;
}

int lk_mroute_send(struct lk_mroute *k, unsigned ifindex, const uint8_t *pkt, size_t len)
{
	struct mcast_ip_info ip;
	if (k->fd < 0 || mcast_ip_parse(pkt, len, &ip) != MCAST_DROP_NONE)
		return -EINVAL;
	ssize_t n;
	if (k->family == MCAST_AF_INET) {
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
		} c;
		memset(&c, 0, sizeof(c));
		struct sockaddr_in to = { .sin_family = AF_INET };
		to_in(&ip.dst, &to.sin_addr);
		struct iovec iov = { (void *)pkt, len };
		struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = &c, .msg_controllen = sizeof(c) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo pi = { .ipi_ifindex = (int)ifindex };
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		n = sendmsg(k->fd, &mh, 0);
	} else {
		/* The Hop-by-Hop header libmcast wrote sits between the IPv6
		 * header and the ICMPv6 message; it goes as IPV6_HOPOPTS. */
		size_t hbh_len = (size_t)(ip.payload - pkt) - 40;
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(64)];
		} c;
		memset(&c, 0, sizeof(c));
		if (hbh_len > 64)
			return -EINVAL;
		struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = ifindex };
		to_in6(&ip.dst, &to.sin6_addr);
		struct iovec iov = { (void *)ip.payload, ip.payload_len };
		struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = &c, .msg_controllen = sizeof(c) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		struct in6_pktinfo pi = { .ipi6_ifindex = ifindex };
		to_in6(&ip.src, &pi.ipi6_addr);
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		size_t total = CMSG_SPACE(sizeof(pi));
		cm = CMSG_NXTHDR(&mh, cm);
		int hl = ip.ttl;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_HOPLIMIT;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &hl, sizeof(hl));
		total += CMSG_SPACE(sizeof(int));
		if (hbh_len) {
			cm = CMSG_NXTHDR(&mh, cm);
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_HOPOPTS;
			cm->cmsg_len = CMSG_LEN(hbh_len);
			memcpy(CMSG_DATA(cm), pkt + 40, hbh_len);
			total += CMSG_SPACE(hbh_len);
		}
		mh.msg_controllen = total;
		n = sendmsg(k->fd, &mh, 0);
	}
	if (n < 0) {
		k->errors++;
		return -errno;
	}
	return 0;
}

/* ---- the IGMP tap ---------------------------------------------------------- */

int lk_igmp_tap_open(char *err, size_t errlen)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (fd < 0)
		return fail(err, errlen, "IGMP tap: socket(AF_PACKET)");
	/* From the IP header (SOCK_DGRAM): protocol 2, destination a group
	 * in 224/4 but not in 224.0.0.0/24 (those reach the routing socket). */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_IGMP, 0, 6),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0000000u),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xe0000000u, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 0xe00000ffu, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0) {
		int e = fail(err, errlen, "IGMP tap: SO_ATTACH_FILTER");
		close(fd);
		return e;
	}
	/* our own sends are not news (older kernels: told by the packet type) */
	if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 && errno != ENOPROTOOPT) {
		int e = fail(err, errlen, "IGMP tap: PACKET_IGNORE_OUTGOING");
		close(fd);
		return e;
	}
	return fd;
}

int lk_igmp_tap_recv(int fd, uint8_t *buf, size_t cap, unsigned *ifindex)
{
	struct sockaddr_ll from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
	if (n < 0)
		return -errno;
	if (from.sll_pkttype == PACKET_OUTGOING || (size_t)n > cap)
		return 0;
	*ifindex = (unsigned)from.sll_ifindex;
	return (int)n;
}
