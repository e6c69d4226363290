/*
 * mcastsim - whole multicast networks in virtual time.
 *
 *   mcastsim run FILE... [--pcap DIR] [--json] [--seed N] [--verbose]
 *   mcastsim replay FILE.pcap [--iface-addr ADDR]... [--at SECONDS]...
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
		     "       mcastsim replay FILE.pcap [--iface-addr ADDR]... [--at SECONDS]...\n");
}

/* The router interface's addresses: high ones, so that a querier in the
 * capture wins the election as it did on the real link. */
static int replay_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface-addr", required_argument, NULL, 'a' }, { "at", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct mcast_addr a4, a6;
	mcast_addr_parse(&a4, "10.255.255.254");
	mcast_addr_parse(&a6, "fe80::ffff:ffff:ffff:fffe");
	mcast_time_ms at[64];
	size_t nat = 0;
	int c;
	optind = 2;
	while ((c = getopt_long(argc, argv, "a:t:", opts, NULL)) != -1) {
		if (c == 'a') {
			struct mcast_addr a;
			if (mcast_addr_parse(&a, optarg) < 0) {
				fprintf(stderr, "mcastsim: --iface-addr: bad address %s\n", optarg);
				return 2;
			}
			if (mcast_addr_is_v4(&a))
				a4 = a;
			else
				a6 = a;
		} else if (c == 't' && nat < 64) {
			char *end;
			double s = strtod(optarg, &end);
			if (end == optarg || *end || s < 0) {
				fprintf(stderr, "mcastsim: --at: bad time %s (seconds)\n", optarg);
				return 2;
			}
			at[nat++] = (mcast_time_ms)(s * 1000 + 0.5);
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	return sim_replay(argv[optind], &a4, &a6, at, nat) < 0 ? 1 : 0;
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
