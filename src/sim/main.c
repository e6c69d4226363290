/*
 * mcastsim - whole multicast networks in virtual time.
 *
 *   mcastsim run FILE... [--pcap DIR] [--json] [--seed N] [--verbose]
 *   mcastsim replay [FILE.pcap] [--iface NAME=FILE.pcap[,ADDR]...]...
 *                   [--set [IFACE:]KEY=VALUE]... [--at SECONDS]... [--pcap DIR]
 *
 * Runs each scenario (docs/mcastsim.md) and prints its failed
 * expectations and a summary line; exits 1 when any expectation failed,
 * 2 when a file is bad. --pcap writes one capture per link into DIR,
 * --json prints every node's state at the end. The same seed gives the
 * same output, byte for byte.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mcastsim run FILE... [--pcap DIR] [--json] [--seed N] [--verbose]\n"
		     "       mcastsim replay [FILE.pcap] [--iface NAME=FILE.pcap[,ADDR]...]... [--iface-addr ADDR]...\n"
		     "                       [--set [IFACE:]KEY=VALUE]... [--at SECONDS]... [--pcap DIR]\n");
}

/* Grows a vector of n elements of size sz by one; NULL when out of memory. */
static void *grow(void *v, size_t *n, size_t sz)
{
	void *x = realloc(v, (*n + 1) * sz);
	if (!x) {
		fprintf(stderr, "mcastsim: out of memory\n");
		free(v);
		return NULL;
	}
	(*n)++;
	return x;
}

/* NAME=FILE[,ADDR[,ADDR]]: addresses default to high ones per interface,
 * so that a querier in the capture wins the election as on the real link. */
static int parse_iface(struct sim_replay_iface *ifc, char *arg, size_t index)
{
	char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1]) {
		fprintf(stderr, "mcastsim: --iface %s: expected NAME=FILE.pcap[,ADDR]...\n", arg);
		return -1;
	}
	*eq = '\0';
	ifc->name = arg;
	ifc->path = eq + 1;
	char a4[32], a6[64];
	snprintf(a4, sizeof(a4), "10.255.255.%zu", 254 - index % 250);
	snprintf(a6, sizeof(a6), "fe80::ffff:ffff:ffff:%zx", 0xfffe - index);
	mcast_addr_parse(&ifc->addr4, a4);
	mcast_addr_parse(&ifc->addr6, a6);
	char *comma = strchr(eq + 1, ',');
	if (comma)
		*comma = '\0';
	for (char *a = comma ? comma + 1 : NULL; a;) {
		char *next = strchr(a, ',');
		if (next)
			*next++ = '\0';
		struct mcast_addr x;
		if (mcast_addr_parse(&x, a) < 0 || mcast_addr_is_multicast(&x) || mcast_addr_is_unspecified(&x)) {
			fprintf(stderr, "mcastsim: --iface %s: bad address %s (an IPv4 or IPv6 link-local unicast)\n",
				ifc->name, a);
			return -1;
		}
		if (mcast_addr_is_v4(&x))
			ifc->addr4 = x;
		else
			ifc->addr6 = x;
		a = next;
	}
	return 0;
}

static int replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' }, { "iface-addr", required_argument, NULL, 'a' },
		{ "set", required_argument, NULL, 's' },   { "at", required_argument, NULL, 't' },
		{ "pcap", required_argument, NULL, 'p' },  { NULL, 0, NULL, 0 },
	};
	struct sim_replay_iface *ifs = NULL;
	const char **sets = NULL;
	mcast_time_ms *at = NULL;
	struct mcast_addr given[2];
	bool have[2] = { false, false };
	size_t nifs = 0, nsets = 0, nat = 0;
	const char *pcap = NULL;
	int c, rc = 2;
	optind = 2;
	while ((c = getopt_long(argc, argv, "i:a:s:t:p:", opts, NULL)) != -1) {
		if (c == 'i') {
			if (!(ifs = grow(ifs, &nifs, sizeof(*ifs))) || parse_iface(&ifs[nifs - 1], optarg, nifs - 1) < 0)
				goto out;
		} else if (c == 'a') {
			struct mcast_addr a;
			if (mcast_addr_parse(&a, optarg) < 0) {
				fprintf(stderr, "mcastsim: --iface-addr: bad address %s\n", optarg);
				goto out;
			}
			given[!mcast_addr_is_v4(&a)] = a;
			have[!mcast_addr_is_v4(&a)] = true;
		} else if (c == 's') {
			if (!(sets = grow(sets, &nsets, sizeof(*sets))))
				goto out;
			sets[nsets - 1] = optarg;
		} else if (c == 't') {
			char *end;
			double s = strtod(optarg, &end);
			if (end == optarg || *end || s < 0) {
				fprintf(stderr, "mcastsim: --at: bad time %s (seconds)\n", optarg);
				goto out;
			}
			if (!(at = grow(at, &nat, sizeof(*at))))
				goto out;
			at[nat - 1] = (mcast_time_ms)(s * 1000 + 0.5);
		} else if (c == 'p') {
			pcap = optarg;
		} else {
			usage(stderr);
			goto out;
		}
	}
	/* the older form: one capture, named "replay" */
	if (optind == argc - 1) {
		static char arg[4096];
		snprintf(arg, sizeof(arg), "replay=%s", argv[optind]);
		if (!(ifs = grow(ifs, &nifs, sizeof(*ifs))) || parse_iface(&ifs[nifs - 1], arg, nifs - 1) < 0)
			goto out;
	} else if (optind != argc || nifs == 0) {
		usage(stderr);
		goto out;
	}
	/* --iface-addr: the first interface's addresses */
	for (int f = 0; f < 2; f++)
		if (have[f])
			*(f ? &ifs[0].addr6 : &ifs[0].addr4) = given[f];
	struct sim_replay_opts o = { .ifs = ifs, .nifs = nifs, .sets = sets, .nsets = nsets,
				     .at = at, .nat = nat, .pcap_dir = pcap };
	rc = sim_replay(&o) < 0 ? 1 : 0;
out:
	free(ifs);
	free(sets);
	free(at);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return replay_main(argc, argv);
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		usage(argc >= 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc >= 2 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	static const struct option opts[] = {
		{ "pcap", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' }, { "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pcap = NULL;
	bool json = false, verbose = false;
	uint64_t seed = 1;
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "p:js:v", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pcap = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	int failed = 0, bad = 0, files = 0;
	for (int i = optind; i < argc; i++) {
		int rc = sim_scenario_run(argv[i], seed, pcap, json, verbose);
		files++;
		if (rc < 0)
			bad++;
		else if (rc > 0)
			failed++;
	}
	if (files > 1)
		printf("scenarios: %d passed, %d failed\n", files - failed - bad, failed + bad);
	return bad ? 2 : failed ? 1 : 0;
}
