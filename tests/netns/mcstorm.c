/*
 * mcstorm - a storm of IGMPv3 reports from one host, for the mcastd
 * benchmark: N groups (239.X.Y.Z from 239.16.0.0 on), each a MODE_IS_EXCLUDE
 * record with no source, packed into full reports (libmcast's report
 * builder, MTU 1500), sent R times over, from IFACE through a raw socket.
 *
 *   mcstorm IFACE SRC N R
 *
 * Prints the number of reports and records sent.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mcast/wire.h"

static int fd;
static unsigned ifindex;
static unsigned long sent;

static void emit(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0xe0000016) };
	struct ip_mreqn m = { .imr_ifindex = (int)ifindex };
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m));
	while (sendto(fd, p, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (errno != ENOBUFS) {
			perror("mcstorm: sendto");
			exit(1);
		}
		usleep(100);
	}
	sent++;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: mcstorm IFACE SRC N R\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	struct mcast_addr src, g;
	if (!ifindex || mcast_addr_parse(&src, argv[2]) < 0) {
		fprintf(stderr, "mcstorm: bad interface or address\n");
		return 2;
	}
	unsigned long n = strtoul(argv[3], NULL, 10), rounds = strtoul(argv[4], NULL, 10);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	int one = 1;
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("mcstorm: raw socket");
		return 1;
	}
	static uint8_t buf[1600];
	for (unsigned long r = 0; r < rounds; r++) {
		struct mcast_report_builder rb;
		mcast_report_init(&rb, MCAST_AF_INET, &src, NULL, 1500, buf, sizeof(buf), emit, NULL);
		for (unsigned long i = 0; i < n; i++) {
			mcast_addr_from_u32(&g, (uint32_t)(0xef100000u + i));
			mcast_report_add(&rb, MCAST_MODE_IS_EXCLUDE, &g, NULL, 0, NULL, 0);
		}
		mcast_report_flush(&rb);
	}
	printf("%lu reports, %lu records\n", sent, n * rounds);
	return 0;
}
