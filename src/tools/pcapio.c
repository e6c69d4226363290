/*
 * DOC: pcap input and output for the programs
 *
 * Reading goes through libpcap, which handles pcap and pcapng alike.
 * Link types: Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1 and
 * v2 (what "tcpdump -i any" writes; they carry the direction), raw IP,
 * and BSD loopback. Writing produces Ethernet frames.
 */
#include <string.h>

#include "tools.h"

int pcap_reader_open(struct pcap_reader *r, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	memset(r, 0, sizeof(*r));
	r->p = pcap_open_offline(path, ebuf);
	if (!r->p) {
		snprintf(err, errlen, "%s: %s", path, ebuf);
		return -1;
	}
	r->linktype = pcap_datalink(r->p);
	switch (r->linktype) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
		return 0;
	default:
		snprintf(err, errlen, "%s: unsupported link type %s", path,
			 pcap_datalink_val_to_name(r->linktype));
		pcap_close(r->p);
		r->p = NULL;
		return -1;
	}
}

static const char *sll_direction(unsigned pkttype)
{
	switch (pkttype) {
	case 0: /* to us */
	case 1: /* broadcast */
	case 2: /* multicast */
		return "in";
	case 3:
		return "other";
	case 4:
		return "out";
	default:
		return "-";
	}
}

static bool is_ip_ethertype(unsigned et)
{
	return et == 0x0800 || et == 0x86dd;
}

int pcap_reader_next(struct pcap_reader *r, struct pcap_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return -1;
	r->frames++;
	memset(f, 0, sizeof(*f));
	f->ts_us = (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec;
	f->direction = "-";
	f->ifindex = -1;
	size_t len = h->caplen, off = 0;
	unsigned et = 0;
	switch (r->linktype) {
	case DLT_EN10MB:
		if (len < 14)
			return 1;
		et = (unsigned)(data[12] << 8 | data[13]);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && len >= off + 4) {
			et = (unsigned)(data[off + 2] << 8 | data[off + 3]);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return 1;
		f->direction = sll_direction((unsigned)(data[0] << 8 | data[1]));
		et = (unsigned)(data[14] << 8 | data[15]);
		off = 16;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (len < 20)
			return 1;
		et = (unsigned)(data[0] << 8 | data[1]);
		f->ifindex = (int)((uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
				   (uint32_t)data[6] << 8 | data[7]);
		f->direction = sll_direction(data[10]);
		off = 20;
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		if (len < 4)
			return 1;
		off = 4;
		et = len > 4 && (data[4] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	default: /* raw IP */
		et = len > 0 && (data[0] >> 4) == 6 ? 0x86dd : 0x0800;
		break;
	}
	if (is_ip_ethertype(et) && off < len) {
		f->ip = data + off;
		f->ip_len = len - off;
	}
	return 1;
}

void pcap_reader_close(struct pcap_reader *r)
{
	if (r->p)
		pcap_close(r->p);
	r->p = NULL;
}

int pcap_writer_open(struct pcap_writer *w, const char *path, char *err, size_t errlen)
{
	w->dead = pcap_open_dead(DLT_EN10MB, 65535);
	if (!w->dead) {
		snprintf(err, errlen, "pcap_open_dead failed");
		return -1;
	}
	w->d = pcap_dump_open(w->dead, path);
	if (!w->d) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(w->dead));
		pcap_close(w->dead);
		return -1;
	}
	return 0;
}

void pcap_writer_put(struct pcap_writer *w, uint64_t ts_us, const uint8_t *ip, size_t len)
{
	uint8_t frame[14 + 65535];
	if (len > 65535 || len < 20)
		return;
	bool v6 = (ip[0] >> 4) == 6;
	const uint8_t *dst = v6 ? ip + 24 : ip + 16;
	const uint8_t *src = v6 ? ip + 8 : ip + 12;
	if (v6) {
		frame[0] = 0x33;
		frame[1] = 0x33;
		memcpy(frame + 2, dst + 12, 4);
	} else {
		frame[0] = 0x01;
		frame[1] = 0x00;
		frame[2] = 0x5e;
		frame[3] = dst[1] & 0x7f;
		frame[4] = dst[2];
		frame[5] = dst[3];
	}
	if (!(v6 ? dst[0] == 0xff : (dst[0] & 0xf0) == 0xe0))
		memset(frame, 0xff, 6); /* unicast: no neighbour table here */
	/* A locally administered source MAC made from the IP source. */
	frame[6] = 0x02;
	frame[7] = 0x00;
	memcpy(frame + 8, v6 ? src + 12 : src, 4);
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	memcpy(frame + 14, ip, len);
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
	h.ts.tv_sec = (time_t)(ts_us / 1000000u);
	h.ts.tv_usec = (suseconds_t)(ts_us % 1000000u);
	h.caplen = h.len = (bpf_u_int32)(len + 14);
	pcap_dump((u_char *)w->d, &h, frame);
}

void pcap_writer_close(struct pcap_writer *w)
{
	if (w->d)
		pcap_dump_close(w->d);
	if (w->dead)
		pcap_close(w->dead);
	w->d = NULL;
	w->dead = NULL;
}
