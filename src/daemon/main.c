/*
 * mcastd: a multicast router (IGMP and MLD querier, forwarding through
 * the kernel's multicast routing table) for Linux. See docs/mcastd.8.
 */
#define _GNU_SOURCE
#include <cap-ng.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
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
#define DEFAULT_USER "mcastd"
/* A wake-up this much later than the timer asked for means the process
 * was stopped, the machine suspended, or one turn of the loop took that
 * long (see run_timers). */
#define STALL_MS 1000

static bool use_syslog;
static int log_max = MCAST_LOG_INFO;

static void log_fn(void *ctx, enum mcast_log_level level, unsigned cat, const char *msg)
{
	mcastd_watch_log(ctx, level, cat, msg);
	/* (without -d, debug lines made for watchers stop here) */
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
	fprintf(out, "usage: mcastd [-f FILE] [-S SOCKET] [-u USER] [-p PIDFILE] [-n] [-d] [-t]\n"
		     "  -f FILE     configuration (default " DEFAULT_CONFIG ")\n"
		     "  -S SOCKET   control socket (default " DEFAULT_SOCKET ")\n"
		     "  -u USER     run as USER after setup, with CAP_NET_ADMIN and CAP_NET_RAW only\n"
		     "              (default " DEFAULT_USER " if that user exists; root keeps uid 0)\n"
		     "  -p PIDFILE  write the pid there, locked while running\n"
		     "  -n          stay in the foreground, log to stderr\n"
		     "  -d          debug logging (every packet, drop and table change)\n"
		     "  -t          check the configuration and exit\n"
		     "  -V          print the version and exit\n");
}

static void die(struct mcastd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void die(struct mcastd *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mcast_logf(&d->log, MCAST_LOG_ERR, 0, "fatal: %s", msg);
	if (use_syslog)
		fprintf(stderr, "mcastd: %s\n", msg);
	exit(1);
}

/* The pid file, locked (flock) for as long as we run: a second start
 * with the same file is refused with the running one's pid. */
static int pidfile_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char buf[32] = "";
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(err, errlen, "pid file %s is held by a running mcastd (pid %s)", path, buf[0] ? buf : "?");
		close(fd);
		return -1;
	}
	char line[32];
	int len = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)len, 0) != len) {
		snprintf(err, errlen, "pid file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * After setup mcastd needs only CAP_NET_ADMIN (the mroute sockets'
 * MRT_* calls) and CAP_NET_RAW (the raw sockets it already holds, and
 * joins). It becomes USER keeping exactly those two, clears the
 * bounding set, and sets no_new_privs; then it checks the result and
 * refuses to run on if anything more is left.
 */
static int drop_privileges(const char *user, bool user_given, char *err, size_t errlen)
{
	uid_t uid = 0;
	gid_t gid = 0;
	bool change = false;
	if (user) {
		struct passwd *pw = getpwnam(user);
		if (!pw && user_given) {
			snprintf(err, errlen, "-u %s: no such user", user);
			return -1;
		}
		if (pw && pw->pw_uid != 0) {
			uid = pw->pw_uid;
			gid = pw->pw_gid;
			change = true;
		}
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN, CAP_NET_RAW, -1) < 0) {
		snprintf(err, errlen, "capng_updatev failed");
		return -1;
	}
	int rc = change ? capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING)
			: capng_apply(CAPNG_SELECT_BOTH);
	if (rc < 0) {
		snprintf(err, errlen, "%s failed (%d): %s", change ? "capng_change_id" : "capng_apply", rc,
			 strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -1;
	}
	/* Check what the kernel says we hold now. */
	if (capng_get_caps_process() < 0) {
		snprintf(err, errlen, "capng_get_caps_process: %s", strerror(errno));
		return -1;
	}
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		bool keep = c == CAP_NET_ADMIN || c == CAP_NET_RAW;
		if (!keep && (capng_have_capability(CAPNG_PERMITTED, (unsigned)c) ||
			      capng_have_capability(CAPNG_EFFECTIVE, (unsigned)c) ||
			      capng_have_capability(CAPNG_BOUNDING_SET, (unsigned)c))) {
			snprintf(err, errlen, "capability %s is still held", capng_capability_to_name((unsigned)c));
			return -1;
		}
		if (keep && !capng_have_capability(CAPNG_EFFECTIVE, (unsigned)c)) {
			snprintf(err, errlen, "capability %s was lost", capng_capability_to_name((unsigned)c));
			return -1;
		}
	}
	if (change && (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid ||
		       setuid(0) == 0)) {
		snprintf(err, errlen, "still able to act as root after becoming %s", user);
		return -1;
	}
	return change ? 1 : 0;
}

/* The hash tables' seed: from the kernel's random pool, so a host on a
 * LAN cannot pick group addresses that collide in our tables. */
static uint64_t random_seed(void)
{
	uint64_t seed;
	ssize_t n;
	do
		n = getrandom(&seed, sizeof(seed), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(seed)) {
		fprintf(stderr, "mcastd: getrandom: %s\n", n < 0 ? strerror(errno) : "short read");
		exit(1);
	}
	return seed;
}

/* Descriptors 0, 1 and 2 left closed by whoever started us would go to
 * the first sockets we open, and log lines meant for stderr would be
 * written into one of them: hold them with /dev/null. */
static int std_fds(void)
{
	for (;;) {
		int fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return -1;
		if (fd > 2) {
			close(fd);
			return 0;
		}
	}
}

struct loop {
	int epfd, sfd, tfd;
	mcast_time_ms armed_for;   /* when the timerfd should wake us, or NEVER */
};

static int watch_fd_idx(struct mcastd *d, int epfd, int fd, enum mcastd_ev_kind kind, unsigned idx, const char *what)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = MCASTD_EV(kind, idx) };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		mcast_logf(&d->log, MCAST_LOG_ERR, 0, "epoll_ctl(%s): %s", what, strerror(errno));
		return -1;
	}
	return 0;
}

static int watch_fd(struct mcastd *d, int epfd, int fd, enum mcastd_ev_kind kind, const char *what)
{
	return watch_fd_idx(d, epfd, fd, kind, 0, what);
}

/* Every kernel table's socket of both families. */
static int watch_tables(struct mcastd *d, int epfd)
{
	for (int f = 0; f < 2; f++)
		for (unsigned k = 0; d->fam[f].on && k < d->fam[f].ntab; k++)
			if (watch_fd_idx(d, epfd, d->fam[f].tab[k]->k.fd, f ? MCASTD_EV_MROUTE6 : MCASTD_EV_MROUTE4, k,
					 f ? "mroute6" : "mroute") < 0)
				return -1;
	return 0;
}

/*
 * Runs the timers that are due. A wake-up far later than asked for
 * means the process was stopped (SIGSTOP, a debugger), the machine
 * slept, or a turn of the loop ran that long: then every due timer fires
 * once with the current time as its
 * time, so periodic queries and retransmissions do not come as a burst
 * that replays the lost interval.
 */
static void run_timers(struct mcastd *d, struct loop *l)
{
	mcast_time_ms now = mcastd_now();
	if (l->armed_for != MCAST_TIME_NEVER && now > l->armed_for + STALL_MS) {
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0,
			   "woke %llu ms late (stopped, suspended or overloaded): due timers run once, at the current time",
			   (unsigned long long)(now - l->armed_for));
		d->stalls++;
		mcast_wheel_jump(&d->wheel, now);
	}
	mcast_wheel_advance(&d->wheel, now);
}

static void arm(struct mcastd *d, struct loop *l)
{
	mcast_time_ms next = mcast_wheel_next(&d->wheel);
	struct itimerspec its = { 0 };
	l->armed_for = MCAST_TIME_NEVER;
	if (next != MCAST_TIME_NEVER) {
		mcast_time_ms now = mcastd_now();
		mcast_time_ms in = next > now ? next - now : 1;
		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
		l->armed_for = now + in;
	}
	if (timerfd_settime(l->tfd, 0, &its, NULL) < 0)
		die(d, "timerfd_settime: %s", strerror(errno));
}

static void on_signals(struct mcastd *d, int sfd)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n != (ssize_t)sizeof(si))
			die(d, "read(signalfd): %s", n < 0 ? strerror(errno) : "short read");
		if (si.ssi_signo == SIGHUP)
			mcastd_reload(d);
		else
			d->stop = true;
	}
}

static void on_timerfd(struct mcastd *d, int tfd)
{
	uint64_t x;
	ssize_t n;
	do
		n = read(tfd, &x, sizeof(x));
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN)
		die(d, "read(timerfd): %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *cfg_path = DEFAULT_CONFIG, *sock_path = DEFAULT_SOCKET, *user = DEFAULT_USER,
		   *pid_path = NULL;
	bool fg = false, test = false, debug = false, user_given = false;
	static const struct option longopts[] = { { "help", no_argument, NULL, 'h' },
						  { "version", no_argument, NULL, 'V' },
						  { NULL, 0, NULL, 0 } };
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f:S:u:p:ndthV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			cfg_path = optarg;
			break;
		case 'S':
			sock_path = optarg;
			break;
		case 'u':
			user = optarg;
			user_given = true;
			break;
		case 'p':
			pid_path = optarg;
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
		case 'V':
			printf("mcastd %s\n", MCAST_VERSION);
			return 0;
		default:
			if (optopt && strchr("fSup", optopt))
				fprintf(stderr, "mcastd: -%c needs a value\n", optopt);
			else
				fprintf(stderr, "mcastd: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mcastd: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* -u USER must exist; without -u, the mcastd user if there is one */
	bool have_user = getpwnam(user) != NULL;
	if (user_given && !have_user && !test) {
		fprintf(stderr, "mcastd: -u %s: no such user\n", user);
		return 2;
	}
	if (std_fds() < 0) {
		perror("mcastd: /dev/null");
		return 1;
	}
	static struct mcastd d;
	d.cfg_path = cfg_path;
	for (int f = 0; f < 2; f++)
		d.join_fd[f] = -1;
	d.ctl.fd = -1;
	if (cfg_load(&d.cfg, cfg_path, stderr) < 0)
		return 1;
	if (test) {
		printf("%s: %u interfaces, %u routes, %u access rules", cfg_path, d.cfg.niface, d.cfg.nroute, d.cfg.nacl);
		if (d.cfg.nproxy)
			printf(", %u proxies", d.cfg.nproxy);
		uint32_t ids[CFG_MAX_TABLES];
		unsigned nt = cfg_tables(&d.cfg, ids);
		if (nt > 1) { /* the kernel tables, mcastd's own first */
			printf(", kernel tables");
			for (unsigned k = 0; k < nt; k++)
				printf(" %u", ids[k]);
		}
		printf(": ok\n");
		return 0;
	}
	log_max = debug ? MCAST_LOG_DEBUG : MCAST_LOG_INFO;
	d.log = (struct mcast_log){ log_fn, &d, debug ? ~0u : 0 };
	d.debug_mask_cfg = d.log.debug_mask;
	/* Before anything is touched: is another mcastd answering there? */
	int pr = ctl_server_probe(sock_path);
	if (pr == 1) {
		fprintf(stderr, "mcastd: another mcastd answers on %s; not starting\n", sock_path);
		return 1;
	}
	if (pr < 0) {
		fprintf(stderr, "mcastd: control socket %s: %s\n", sock_path, strerror(-pr));
		return 1;
	}
	if (!fg) {
		if (daemon(0, 0) < 0) {
			perror("mcastd: daemon");
			return 1;
		}
		use_syslog = true;
		openlog("mcastd", LOG_PID, LOG_DAEMON);
	}
	char err[256];
	int pidfd = -1;
	if (pid_path && (pidfd = pidfile_open(pid_path, err, sizeof(err))) < 0)
		die(&d, "%s", err);
	d.hash_seed = random_seed();
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die(&d, "signal setup: %s", strerror(errno));
	struct loop l = { .armed_for = MCAST_TIME_NEVER };
	l.sfd = signalfd(-1, &ss, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l.sfd < 0)
		die(&d, "signalfd: %s", strerror(errno));
	l.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l.tfd < 0)
		die(&d, "timerfd_create: %s", strerror(errno));
	l.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l.epfd < 0)
		die(&d, "epoll_create1: %s", strerror(errno));
	if (mcastd_start(&d, err, sizeof(err)) < 0) {
		mcastd_stop(&d);
		die(&d, "%s", err);
	}
	if (ctl_server_open(&d.ctl, &d, l.epfd, sock_path, err, sizeof(err)) < 0) {
		mcastd_stop(&d);
		die(&d, "%s", err);
	}
	/* before privileges go: the port may be below 1024 */
	int mfd = mcastd_metrics_open(&d, err, sizeof(err));
	if (mfd == -2) {
		ctl_server_close(&d.ctl);
		mcastd_stop(&d);
		die(&d, "%s", err);
	}
	if (watch_fd(&d, l.epfd, l.sfd, MCASTD_EV_SIGNAL, "signalfd") < 0 ||
	    (mfd >= 0 && watch_fd(&d, l.epfd, mfd, MCASTD_EV_METRICS, "metrics") < 0) ||
	    watch_fd(&d, l.epfd, l.tfd, MCASTD_EV_TIMER, "timerfd") < 0 ||
	    watch_fd(&d, l.epfd, lk_nl_fd(d.nl), MCASTD_EV_NETLINK, "netlink") < 0 ||
	    watch_tables(&d, l.epfd) < 0 ||
	    (d.tap_fd >= 0 && watch_fd(&d, l.epfd, d.tap_fd, MCASTD_EV_TAP, "IGMP tap") < 0)) {
		ctl_server_close(&d.ctl);
		mcastd_stop(&d);
		return 1;
	}
	if (mcastd_netlink_dump(&d) < 0)
		mcast_logf(&d.log, MCAST_LOG_WARNING, 0, "netlink dump failed; waiting for notifications");
	int dp = drop_privileges(have_user ? user : NULL, user_given, err, sizeof(err));
	if (dp < 0) {
		ctl_server_close(&d.ctl);
		mcastd_stop(&d);
		die(&d, "dropping privileges: %s; refusing to run with them", err);
	}
	mcast_logf(&d.log, MCAST_LOG_INFO, 0, "running: %s, control %s, IGMP %s, MLD %s, as %s with CAP_NET_ADMIN and CAP_NET_RAW",
		   cfg_path, sock_path, d.fam[0].on ? "on" : "off", d.fam[1].on ? "on" : "off",
		   dp == 1 ? user : "root");

	int rc = 0;
	while (!d.stop) {
		run_timers(&d, &l);
		mcastd_flush(&d);
		arm(&d, &l);
		struct epoll_event evs[64];
		int n = epoll_wait(l.epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			mcast_logf(&d.log, MCAST_LOG_ERR, 0, "fatal: epoll_wait: %s", strerror(errno));
			rc = 1;
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			switch ((enum mcastd_ev_kind)(tag >> 32)) {
			case MCASTD_EV_SIGNAL:
				on_signals(&d, l.sfd);
				break;
			case MCASTD_EV_TIMER:
				on_timerfd(&d, l.tfd);
				break;
			case MCASTD_EV_NETLINK:
				mcastd_read_netlink(&d);
				break;
			case MCASTD_EV_LISTEN:
				ctl_server_accept(&d.ctl);
				break;
			case MCASTD_EV_MROUTE4:
				mcastd_read_mroute(&d, 0, (unsigned)tag);
				break;
			case MCASTD_EV_MROUTE6:
				mcastd_read_mroute(&d, 1, (unsigned)tag);
				break;
			case MCASTD_EV_TAP:
				mcastd_read_tap(&d);
				break;
			case MCASTD_EV_METRICS:
				mcastd_metrics_run(&d);
				break;
			case MCASTD_EV_CLIENT:
				ctl_server_event(&d.ctl, (unsigned)tag, evs[i].events);
				break;
			}
		}
	}
	mcast_logf(&d.log, MCAST_LOG_INFO, 0, "stopping: the kernel's forwarding state of ours is removed");
	ctl_server_close(&d.ctl);
	mcastd_stop(&d);
	if (pidfd >= 0 && unlink(pid_path) < 0)
		mcast_logf(&d.log, MCAST_LOG_DEBUG, 0, "pid file %s: unlink: %s", pid_path, strerror(errno));
	return rc;
}
