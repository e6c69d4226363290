/*
 * mcastdump - print every IGMP and MLD message of a capture, decoded,
 * with the reason for each one a router would reject.
 *
 *   mcastdump [--json] [--all] FILE.pcap|FILE.pcapng
 *
 * One line per message: frame number, seconds since the first frame,
 * direction when the capture knows it (Linux cooked captures), source,
 * destination, then the message or "DROP <reason>". --json prints one
 * JSON object per line instead. Frames that are not IGMP or MLD are
 * skipped unless --all is given.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools.h"

#define MAX_PAYLOAD 65535

static struct mcast_addr srcs[MCAST_MSG_MAX_SRCS(MAX_PAYLOAD)];
static struct mcast_group_record recs[MCAST_MSG_MAX_RECS(MAX_PAYLOAD)];

static void usage(FILE *out)
{
	fprintf(out, "usage: mcastdump [--json] [--all] FILE.pcap\n"
		     "  --json  one JSON object per message\n"
		     "  --all   also list frames that are not IGMP or MLD\n");
}

/* Would this frame be IGMP or MLD if it were well formed? */
static bool looks_like_igmp_mld(const uint8_t *ip, size_t len, const struct mcast_ip_info *info,
				enum mcast_drop ipr)
{
	if (ipr != MCAST_DROP_NONE)
		return len >= 10 && (ip[0] >> 4) == 4 && ip[9] == MCAST_IPPROTO_IGMP;
	if (info->proto == MCAST_IPPROTO_IGMP)
		return true;
	if (info->proto == MCAST_IPPROTO_ICMPV6 && info->payload_len >= 1) {
		uint8_t t = info->payload[0];
		return t == MCAST_MLD_QUERY || t == MCAST_MLD_V1_REPORT || t == MCAST_MLD_V1_DONE ||
		       t == MCAST_MLD_V2_REPORT;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, all = false;
	int c;
	while ((c = getopt_long(argc, argv, "jah", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}

	struct pcap_reader r;
	char err[512];
	if (pcap_reader_open(&r, argv[optind], err, sizeof(err)) < 0) {
		fprintf(stderr, "mcastdump: %s\n", err);
		return 1;
	}
	struct mcast_wire_policy pol;
	mcast_wire_policy_default(&pol);
	struct pcap_frame f;
	uint64_t t0 = 0;
	int rc;
	while ((rc = pcap_reader_next(&r, &f)) == 1) {
		if (r.frames == 1)
			t0 = f.ts_us;
		double t = (double)(f.ts_us - t0) / 1e6;
		char sa[MCAST_ADDR_STRLEN] = "-", da[MCAST_ADDR_STRLEN] = "-";
		struct mcast_ip_info ip;
		enum mcast_drop ipr = f.ip ? mcast_ip_parse(f.ip, f.ip_len, &ip) : MCAST_DROP_BAD_IP_HEADER;
		bool relevant = f.ip && looks_like_igmp_mld(f.ip, f.ip_len, &ip, ipr);
		if (!relevant && !all)
			continue;
		struct mcast_msg m = { .srcs = srcs, .srcs_cap = sizeof(srcs) / sizeof(srcs[0]),
				       .recs = recs, .recs_cap = sizeof(recs) / sizeof(recs[0]) };
		enum mcast_drop why = ipr;
		if (ipr == MCAST_DROP_NONE) {
			mcast_addr_str(&ip.src, sa);
			mcast_addr_str(&ip.dst, da);
			why = mcast_msg_decode(&m, &ip, &pol);
		}
		if (json) {
			printf("{\"frame\":%lu,\"time\":%.6f,\"direction\":\"%s\"", r.frames, t,
			       f.direction);
			if (f.ifindex >= 0)
				printf(",\"ifindex\":%d", f.ifindex);
			if (ipr == MCAST_DROP_NONE)
				printf(",\"src\":\"%s\",\"dst\":\"%s\",\"ttl\":%u,\"router_alert\":%s",
				       sa, da, ip.ttl, ip.router_alert ? "true" : "false");
			if (why == MCAST_DROP_NONE) {
				putchar(',');
				format_msg_json(stdout, &m);
			} else if (!relevant) {
				printf(",\"skipped\":\"not IGMP or MLD\"");
			} else {
				printf(",\"dropped\":\"%s\"", mcast_drop_name(why));
			}
			printf("}\n");
		} else {
			printf("%lu %.6f %s %s > %s ", r.frames, t, f.direction, sa, da);
			if (why == MCAST_DROP_NONE)
				format_msg_text(stdout, &m);
			else if (!relevant)
				printf("(not IGMP or MLD)");
			else
				printf("DROP %s", mcast_drop_name(why));
			putchar('\n');
		}
	}
	pcap_reader_close(&r);
	if (rc < 0) {
		fprintf(stderr, "mcastdump: %s: read error\n", argv[optind]);
		return 1;
	}
	return 0;
}
