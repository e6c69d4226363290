/*
 * libFuzzer target for the programs' capture reader (libpcap for the
 * file format, src/tools/pcapio.c for the link layers): any file must
 * read or fail cleanly, and every frame's IP datagram must lie inside
 * the frame and go through the decoder.
 */
#include <stdlib.h>

#include "tools.h"

static struct mcast_addr srcs[16384];
static struct mcast_group_record recs[8192];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "rb");
	if (!f)
		return 0;
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_fopen_offline(f, err); /* takes f */
	if (!p) {
		fclose(f);
		return 0;
	}
	struct pcap_reader r = { .p = p, .linktype = pcap_datalink(p) };
	struct pcap_frame fr;
	while (pcap_reader_next(&r, &fr) == 1 && r.frames < 1000) {
		if (!fr.ip)
			continue;
		if (fr.ip_len == 0 || fr.ip_len > 262144)
			abort();
		struct mcast_msg m = { .srcs = srcs, .srcs_cap = 16384, .recs = recs, .recs_cap = 8192 };
		(void)mcast_msg_decode_packet(&m, fr.ip, fr.ip_len, NULL, NULL);
	}
	pcap_reader_close(&r);
	return 0;
}
