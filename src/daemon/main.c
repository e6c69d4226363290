/*
 * mcastd: a multicast router (IGMP and MLD querier, forwarding through
 * the kernel's multicast routing table) for Linux. See docs/mcastd.8.
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "mcastd.h"

#define DEFAULT_CONFIG "/etc/mcastd.conf"
#define DEFAULT_SOCKET "/run/mcastd.sock"

static bool use_syslog;
static int log_max = MCAST_LOG_INFO;

static void log_fn(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	(void)ctx;
	(void)cat;
	if ((int)level > log_max)
		return;
	if (use_syslog) {
		syslog((int)level, "%s", msg);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld mcastd: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, msg);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: mcastd [-f FILE] [-S SOCKET] [-n] [-d] [-t]\n"
		     "  -f FILE    configuration (default " DEFAULT_CONFIG ")\n"
		     "  -S SOCKET  control socket (default " DEFAULT_SOCKET ")\n"
		     "  -n         stay in the foreground, log to stderr\n"
		     "  -d         debug logging (every packet, drop and table change)\n"
		     "  -t         check the configuration and exit\n");
}

static int ctl_open(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		close(fd);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	mode_t old = umask(0117); /* 0660 */
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || chmod(path, 0660) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void ctl_serve(struct mcastd *d, int lfd)
{
	for (;;) {
		int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			return;
		/* One short request line; a client that says nothing within
		 * a second is dropped, the daemon does not wait on it. */
		struct timeval tv = { 1, 0 };
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		char req[512];
		size_t n = 0;
		while (n < sizeof(req) - 1) {
			ssize_t r = read(c, req + n, sizeof(req) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
			if (memchr(req, '\n', n))
				break;
		}
		req[n] = '\0';
		struct dbuf out = { 0 };
		mcast_wheel_advance(&d->wheel, mcastd_now());
		mcastd_control(d, req, &out);
		for (size_t off = 0; out.p && off < out.len;) {
			ssize_t w = write(c, out.p + off, out.len - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		free(out.p);
		close(c);
	}
}

/* After setup only what routing needs: the mroute and raw sockets and
 * joins need CAP_NET_ADMIN and CAP_NET_RAW; the rest goes. */
static int drop_caps(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN, CAP_NET_RAW, -1) < 0)
		return -1;
	return capng_apply(CAPNG_SELECT_BOTH);
}

static void arm(int tfd, struct mcast_wheel *w)
{
	mcast_time_ms next = mcast_wheel_next(w);
	struct itimerspec its = { 0 };
	if (next != MCAST_TIME_NEVER) {
		mcast_time_ms now = mcastd_now();
		mcast_time_ms in = next > now ? next - now : 1;
		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
	}
	timerfd_settime(tfd, 0, &its, NULL);
}

int main(int argc, char **argv)
{
	const char *cfg_path = DEFAULT_CONFIG, *sock_path = DEFAULT_SOCKET;
	bool fg = false, test = false, debug = false;
	int opt;
	while ((opt = getopt(argc, argv, "f:S:ndth")) != -1) {
		switch (opt) {
		case 'f':
			cfg_path = optarg;
			break;
		case 'S':
			sock_path = optarg;
			break;
		case 'n':
			fg = true;
			break;
		case 'd':
			debug = true;
			break;
		case 't':
			test = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	static struct mcastd d;
	d.cfg_path = cfg_path;
	if (cfg_load(&d.cfg, cfg_path, stderr) < 0)
		return 1;
	if (test) {
		printf("%s: %u interfaces, %u routes, %u access rules", cfg_path, d.cfg.niface, d.cfg.nroute, d.cfg.nacl);
		if (d.cfg.nproxy)
			printf(", %u proxies", d.cfg.nproxy);
		printf(": ok\n");
		return 0;
	}
	log_max = debug ? MCAST_LOG_DEBUG : MCAST_LOG_INFO;
	d.log = (struct mcast_log){ log_fn, NULL, debug ? ~0u : 0 };
	if (!fg) {
		if (daemon(0, 0) < 0) {
			perror("mcastd: daemon");
			return 1;
		}
		use_syslog = true;
		openlog("mcastd", LOG_PID, LOG_DAEMON);
	}
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	char err[256];
	if (sfd < 0 || tfd < 0 || epfd < 0) {
		mcast_logf(&d.log, MCAST_LOG_ERR, 0, "setup: %s", strerror(errno));
		return 1;
	}
	if (mcastd_start(&d, err, sizeof(err)) < 0) {
		mcast_logf(&d.log, MCAST_LOG_ERR, 0, "%s", err);
		mcastd_stop(&d);
		return 1;
	}
	int cfd = ctl_open(sock_path);
	if (cfd < 0) {
		mcast_logf(&d.log, MCAST_LOG_ERR, 0, "control socket %s: %s", sock_path, strerror(errno));
		mcastd_stop(&d);
		return 1;
	}
	enum { EV_SIG, EV_TIMER, EV_NL, EV_CTL, EV_MR4, EV_MR6 };
	struct {
		int fd, tag;
	} watch[] = { { sfd, EV_SIG }, { tfd, EV_TIMER }, { lk_nl_fd(d.nl), EV_NL }, { cfd, EV_CTL },
		      { d.fam[0].k.fd, EV_MR4 }, { d.fam[1].on ? d.fam[1].k.fd : -1, EV_MR6 } };
	for (size_t i = 0; i < sizeof(watch) / sizeof(watch[0]); i++) {
		if (watch[i].fd < 0)
			continue;
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)watch[i].tag };
		epoll_ctl(epfd, EPOLL_CTL_ADD, watch[i].fd, &ev);
	}
	if (mcastd_netlink_dump(&d) < 0)
		mcast_logf(&d.log, MCAST_LOG_WARNING, 0, "netlink dump failed; waiting for notifications");
	if (drop_caps() < 0)
		mcast_logf(&d.log, MCAST_LOG_WARNING, 0, "could not drop capabilities");
	mcast_logf(&d.log, MCAST_LOG_INFO, 0, "running: %s, control %s, IGMP %s, MLD %s", cfg_path, sock_path,
		   d.fam[0].on ? "on" : "off", d.fam[1].on ? "on" : "off");

	while (!d.stop) {
		mcast_wheel_advance(&d.wheel, mcastd_now());
		arm(tfd, &d.wheel);
		struct epoll_event evs[16];
		int n = epoll_wait(epfd, evs, 16, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u32) {
			case EV_SIG: {
				struct signalfd_siginfo si;
				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP)
						mcastd_reload(&d);
					else
						d.stop = true;
				}
				break;
			}
			case EV_TIMER: {
				uint64_t x;
				while (read(tfd, &x, sizeof(x)) == sizeof(x))
					;
				break;
			}
			case EV_NL:
				mcastd_read_netlink(&d);
				break;
			case EV_CTL:
				ctl_serve(&d, cfd);
				break;
			case EV_MR4:
				mcastd_read_mroute(&d, 0);
				break;
			case EV_MR6:
				mcastd_read_mroute(&d, 1);
				break;
			}
		}
	}
	mcast_logf(&d.log, MCAST_LOG_INFO, 0, "stopping: the kernel's forwarding state of ours is removed");
	mcastd_stop(&d);
	close(cfd);
	unlink(sock_path);
	return 0;
}
