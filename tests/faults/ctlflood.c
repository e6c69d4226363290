/*
 * Holds many clients on mcastd's control socket at once, for
 * tests/faults: IDLE connections that never say anything, and SLOW ones
 * that send "show groups" one byte every STEP ms and then read the
 * framed answer ("ok LEN" and LEN bytes). After HOLD ms it prints
 *
 *   idle N     how many idle connections were still open at the end
 *   slow K/M   how many slow clients got a whole, well-framed answer
 *
 *   ctlflood SOCKET IDLE SLOW STEP HOLD
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("ctlflood: connect");
		exit(1);
	}
	return fd;
}

struct slow {
	int fd;
	size_t sent;
	char buf[1 << 16];
	size_t got;
	int done, good;
};

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: ctlflood SOCKET IDLE SLOW STEP_MS HOLD_MS\n");
		return 2;
	}
	int nidle = atoi(argv[2]), nslow = atoi(argv[3]), step = atoi(argv[4]), hold = atoi(argv[5]);
	int *idle = calloc((size_t)nidle + 1, sizeof(int));
	struct slow *s = calloc((size_t)nslow + 1, sizeof(*s));
	for (int i = 0; i < nidle; i++)
		idle[i] = dial(argv[1]);
	for (int i = 0; i < nslow; i++)
		s[i].fd = dial(argv[1]);
	const char *req = "show groups\n";
	long long end = now_ms() + hold, next = now_ms();
	while (now_ms() < end) {
		if (now_ms() >= next) {
			for (int i = 0; i < nslow; i++)
				if (s[i].sent < strlen(req) && write(s[i].fd, req + s[i].sent, 1) == 1)
					s[i].sent++;
			next += step;
		}
		for (int i = 0; i < nslow; i++) {
			struct pollfd p = { s[i].fd, POLLIN, 0 };
			if (s[i].done || poll(&p, 1, 0) <= 0)
				continue;
			ssize_t r = read(s[i].fd, s[i].buf + s[i].got, sizeof(s[i].buf) - 1 - s[i].got);
			if (r > 0) {
				s[i].got += (size_t)r;
				continue;
			}
			s[i].done = 1;
			s[i].buf[s[i].got] = '\0';
			char *nl = strchr(s[i].buf, '\n');
			unsigned long len;
			if (nl && sscanf(s[i].buf, "ok %lu", &len) == 1 && s[i].got - (size_t)(nl + 1 - s[i].buf) == len)
				s[i].good = 1;
		}
		usleep(5000);
	}
	int open_idle = 0;
	for (int i = 0; i < nidle; i++) {
		struct pollfd p = { idle[i], POLLIN, 0 };
		char c;
		/* still open: nothing to read and no end of stream */
		if (poll(&p, 1, 0) == 0 || (p.revents & POLLIN && recv(idle[i], &c, 1, MSG_DONTWAIT | MSG_PEEK) > 0))
			open_idle++;
	}
	int good = 0;
	for (int i = 0; i < nslow; i++)
		good += s[i].good;
	printf("idle %d\nslow %d/%d\n", open_idle, good, nslow);
	return 0;
}
