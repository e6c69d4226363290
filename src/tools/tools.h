/*
 * Support shared by the programs (mcastdump, mcast-vectors, later
 * mcastsim): pcap/pcapng reading and writing through libpcap, and the
 * text and JSON forms of a decoded message. Not part of libmcast.
 */
#ifndef MCAST_TOOLS_H
#define MCAST_TOOLS_H

#include <stdio.h>

#include <pcap/pcap.h>

#include "mcast/wire.h"

/* One captured frame, reduced to its IP datagram. */
struct pcap_frame {
	uint64_t ts_us;
	const uint8_t *ip;      /* NULL if the frame holds no IPv4/IPv6 datagram */
	size_t ip_len;
	const char *direction;  /* "in", "out", "other" or "-" when unknown */
	int ifindex;            /* Linux cooked v2 only, else -1 */
};

struct pcap_reader {
	pcap_t *p;
	int linktype;
	unsigned long frames;
};

/* Opens pcap or pcapng. 0, or -1 with a message in err. */
int pcap_reader_open(struct pcap_reader *r, const char *path, char *err, size_t errlen);
/* 1 with a frame, 0 at the end, -1 on a read error. */
int pcap_reader_next(struct pcap_reader *r, struct pcap_frame *f);
void pcap_reader_close(struct pcap_reader *r);

struct pcap_writer {
	pcap_t *dead;
	pcap_dumper_t *d;
};

/* Ethernet-framed pcap. 0, or -1 with a message in err. */
int pcap_writer_open(struct pcap_writer *w, const char *path, char *err, size_t errlen);
/* Writes an IP datagram in an Ethernet frame whose destination MAC is
 * the multicast MAC of the IP destination (RFC 1112 6.4, RFC 2464 7). */
void pcap_writer_put(struct pcap_writer *w, uint64_t ts_us, const uint8_t *ip, size_t len);
void pcap_writer_close(struct pcap_writer *w);

/* One line: name, group or records with their sources. */
void format_msg_text(FILE *out, const struct mcast_msg *m);
/* A JSON object's members (no braces) describing the message. */
void format_msg_json(FILE *out, const struct mcast_msg *m);
/* A JSON string with escaping. */
void format_json_str(FILE *out, const char *s);

#endif
