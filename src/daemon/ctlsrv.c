/*
 * DOC: mcastd's control socket server
 *
 * The listening socket and every client are non-blocking descriptors on
 * mcastd's one epoll loop. A client is a small state machine:
 *
 *   READING   bytes are gathered until a newline (at most CTL_REQ_MAX);
 *   WRITING   the request has run, its framed answer drains as the client
 *             reads it (EPOLLOUT);
 *   WATCHING  after "watch [json] [IFACE]": "ok stream\n", then one line
 *             per event (ctl_server_event_line) until the client closes;
 *             each watcher has CTL_WATCH_BUF bytes, and what does not fit
 *             is lost, counted and said ("lost N events") once there is
 *             room again: a slow watcher never slows the daemon;
 *   closed    when the answer is out, or on a limit.
 *
 * Limits: CTL_MAX_CLIENTS at once (when full, the client idle longest
 * in READING is closed to make room, so idle connections cannot lock an
 * operator out); CTL_IDLE_MS without progress in either state closes
 * the client; a request longer than CTL_REQ_MAX is answered with an
 * error. A slow or malicious client holds only its own buffers; the
 * daemon never waits on it.
 *
 * Framing (what mcastctl checks): an answer is "ok LEN\n" followed by
 * exactly LEN bytes, or one line "error: REASON\n". A cut answer is
 * detectable: fewer than LEN bytes before the end of the stream.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "mcastd.h"

enum ctl_state { CTL_READING, CTL_WRITING, CTL_WATCHING };

struct ctl_client {
	struct ctl_server *srv;
	unsigned slot;
	int fd;
	enum ctl_state state;
	size_t reqlen;
	char req[CTL_REQ_MAX + 1];
	char hdr[48];
	size_t hdrlen;
	struct dbuf out;
	size_t off;                    /* bytes of hdr + out written */
	mcast_time_ms last_ms;         /* last progress */
	struct mcast_timer idle;
	/* WATCHING */
	bool json;
	char iface[16];                /* only events naming it ("": all) */
	uint64_t lost;                 /* events that did not fit, not yet said */
	bool want_out;                 /* EPOLLOUT asked for */
};

static void client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	mcast_timer_stop(&s->d->wheel, &c->idle);
	/* closing removes it from the epoll set; the explicit call keeps
	 * the set right even if the descriptor was duplicated */
	if (epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL) < 0)
		mcast_logf(&s->d->log, MCAST_LOG_DEBUG, 0, "control client: epoll_ctl(DEL): %s", strerror(errno));
	if (close(c->fd) < 0)
		mcast_logf(&s->d->log, MCAST_LOG_DEBUG, 0, "control client: close: %s", strerror(errno));
	free(c->out.p);
	bool watcher = c->state == CTL_WATCHING;
	s->clients[c->slot] = NULL;
	s->nclients--;
	free(c);
	if (watcher) {
		s->nwatchers--;
		mcastd_watchers_changed(s->d);
	}
}

static void client_idle(struct mcast_timer *t, void *arg)
{
	(void)t;
	struct ctl_client *c = arg;
	c->srv->timeouts++;
	client_close(c);
}

static void touch(struct ctl_client *c)
{
	c->last_ms = mcastd_now();
	mcast_timer_start(&c->srv->d->wheel, &c->idle, c->last_ms + CTL_IDLE_MS);
}

static int set_events(struct ctl_client *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = MCASTD_EV(MCASTD_EV_CLIENT, c->slot) };
	return epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

int ctl_server_open(struct ctl_server *s, struct mcastd *d, int epfd, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->epfd = epfd;
	s->fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket %s: path longer than %zu bytes", path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "control socket: socket: %s", strerror(e));
		return -e;
	}
	mode_t old = umask(0117); /* 0660 */
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	const char *what = "bind";
	if (rc == 0) {
		what = "chmod";
		rc = chmod(path, 0660);
	}
	if (rc == 0) {
		what = "listen";
		rc = listen(fd, 64);
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = MCASTD_EV(MCASTD_EV_LISTEN, 0) };
	if (rc == 0) {
		what = "epoll_ctl";
		rc = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	if (rc < 0) {
		int e = errno;
		snprintf(err, errlen, "control socket %s: %s: %s", path, what, strerror(e));
		close(fd);
		return -e;
	}
	s->fd = fd;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

/* Another mcastd answers on path: 1. Nobody (no file, or a file left by
 * a daemon that died): 0, and a stale file is removed. -errno when the
 * file is there but cannot be tested or removed. */
int ctl_server_probe(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(fd);
	if (rc == 0)
		return 1;
	if (e == ENOENT)
		return 0;
	if (e != ECONNREFUSED)
		return -e;
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return -EEXIST; /* not a socket: not ours to remove */
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	for (unsigned k = 0; k < CTL_MAX_CLIENTS; k++)
		if (s->clients[k])
			client_close(s->clients[k]);
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
		/* may fail once privileges are dropped; the next start
		 * finds the file stale and removes it (ctl_server_probe) */
		if (unlink(s->path) < 0 && errno != ENOENT)
			mcast_logf(&s->d->log, MCAST_LOG_DEBUG, 0, "control socket %s: unlink: %s", s->path,
				   strerror(errno));
	}
}

/* Makes room for one more client: the one idle longest while reading. */
static bool make_room(struct ctl_server *s)
{
	struct ctl_client *old = NULL;
	for (unsigned k = 0; k < CTL_MAX_CLIENTS; k++) {
		struct ctl_client *c = s->clients[k];
		if (c && c->state == CTL_READING && (!old || c->last_ms < old->last_ms))
			old = c;
	}
	if (!old)
		return false;
	s->evicted++;
	client_close(old);
	return true;
}

static void accept_one(struct ctl_server *s, int fd)
{
	if (s->nclients == CTL_MAX_CLIENTS && !make_room(s)) {
		s->refused++;
		close(fd);
		return;
	}
	struct ctl_client *c = calloc(1, sizeof(*c));
	unsigned slot = 0;
	while (slot < CTL_MAX_CLIENTS && s->clients[slot])
		slot++;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = MCASTD_EV(MCASTD_EV_CLIENT, slot) };
	if (!c || slot == CTL_MAX_CLIENTS || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		mcast_logf(&s->d->log, MCAST_LOG_WARNING, 0, "control client refused: %s",
			   c ? strerror(errno) : "out of memory");
		s->refused++;
		free(c);
		close(fd);
		return;
	}
	c->srv = s;
	c->slot = slot;
	c->fd = fd;
	c->state = CTL_READING;
	mcast_timer_init(&c->idle, client_idle, c);
	s->clients[slot] = c;
	s->nclients++;
	s->accepted++;
	touch(c);
}

void ctl_server_accept(struct ctl_server *s)
{
	/* a bounded batch per turn: a connect flood shares the loop */
	for (int n = 0; n < 64; n++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				mcast_logf(&s->d->log, MCAST_LOG_WARNING, 0, "control socket: accept4: %s",
					   strerror(errno));
			return;
		}
		accept_one(s, fd);
	}
}

/* The request has come: run it, frame the answer, start writing. */
static void watch_start(struct ctl_client *c);

static void run_request(struct ctl_client *c)
{
	struct mcastd *d = c->srv->d;
	c->srv->requests++;
	mcast_wheel_advance(&d->wheel, mcastd_now());
	if (!strncmp(c->req, "watch", 5) && (c->req[5] == '\0' || c->req[5] == ' ')) {
		watch_start(c);
		return;
	}
	mcastd_control(d, c->req, &c->out);
	if (c->out.failed) {
		free(c->out.p);
		c->out = (struct dbuf){ 0 };
		c->hdrlen = (size_t)snprintf(c->hdr, sizeof(c->hdr), "error: out of memory for the answer\n");
	} else if (c->out.len >= 3 && !memcmp(c->out.p, "ok\n", 3)) {
		/* the body follows "ok\n": the header says its length */
		size_t body = c->out.len - 3;
		memmove(c->out.p, c->out.p + 3, body);
		c->out.len = body;
		c->hdrlen = (size_t)snprintf(c->hdr, sizeof(c->hdr), "ok %zu\n", body);
	} else {
		c->hdrlen = 0; /* an error line, whole */
	}
	c->state = CTL_WRITING;
	c->off = 0;
	if (set_events(c, EPOLLOUT) < 0) {
		mcast_logf(&d->log, MCAST_LOG_WARNING, 0, "control client: epoll_ctl: %s", strerror(errno));
		client_close(c);
		return;
	}
	touch(c);
}

/* "watch [json] [IFACE]": this client becomes a watcher. */
static void watch_start(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	char *save = NULL, *iface = NULL;
	bool json = false, bad = false;
	strtok_r(c->req, " \t", &save);
	for (char *w; (w = strtok_r(NULL, " \t", &save));) {
		if (!strcmp(w, "json"))
			json = true;
		else if (!iface)
			iface = w;
		else
			bad = true;
	}
	if (bad)
		dbuf_put(&c->out, "error: usage: watch [json] [IFACE]\n");
	else if (iface && !mcastd_if_by_name(s->d, iface))
		dbuf_printf(&c->out, "error: no interface %.15s in the configuration\n", iface);
	else if (s->nwatchers == CTL_MAX_WATCHERS)
		dbuf_printf(&c->out, "error: %d watchers already\n", CTL_MAX_WATCHERS);
	if (c->out.len || c->out.failed) { /* refused: the error line, then close */
		c->state = CTL_WRITING;
		c->hdrlen = c->off = 0;
		if (c->out.failed || set_events(c, EPOLLOUT) < 0)
			client_close(c);
		return;
	}
	c->state = CTL_WATCHING;
	c->json = json;
	snprintf(c->iface, sizeof(c->iface), "%s", iface ? iface : "");
	s->nwatchers++;
	mcast_timer_stop(&s->d->wheel, &c->idle); /* a watcher may be quiet for long */
	dbuf_put(&c->out, "ok stream\n");
	c->off = 0;
	c->want_out = true;
	if (c->out.failed || set_events(c, EPOLLIN | EPOLLOUT) < 0)
		client_close(c);
	mcastd_watchers_changed(s->d);
}

/* Does a space-separated list name iface? */
static bool names(const char *list, const char *iface)
{
	size_t n = strlen(iface);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ' ');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !memcmp(p, iface, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* false when the client had to be closed */
static bool watch_put(struct ctl_client *c, const char *line)
{
	size_t len = strlen(line), pending = c->out.len - c->off;
	if (c->lost) {
		char note[80];
		snprintf(note, sizeof(note), c->json ? "{\"event\":\"lost\",\"count\":%llu}\n" : "lost %llu events\n",
			 (unsigned long long)c->lost);
		if (pending + strlen(note) + len > CTL_WATCH_BUF) {
			c->lost++;
			c->srv->watch_lost++;
			return true;
		}
		dbuf_put(&c->out, note);
		c->lost = 0;
		pending = c->out.len - c->off;
	}
	if (pending + len > CTL_WATCH_BUF) {
		c->lost++;
		c->srv->watch_lost++;
		return true;
	}
	if (c->off && (c->off == c->out.len || c->off >= CTL_WATCH_BUF / 2)) {
		/* what is written goes: the buffer stays within bounds */
		memmove(c->out.p, c->out.p + c->off, pending);
		c->out.len = pending;
		c->off = 0;
	}
	dbuf_put(&c->out, line);
	if (c->out.failed) {
		client_close(c);
		return false;
	}
	if (!c->want_out && set_events(c, EPOLLIN | EPOLLOUT) == 0)
		c->want_out = true;
	return true;
}

void ctl_server_event_line(struct ctl_server *s, const char *ifaces, const char *text, const char *json)
{
	for (unsigned k = 0; k < CTL_MAX_CLIENTS && s->nwatchers; k++) {
		struct ctl_client *c = s->clients[k];
		if (!c || c->state != CTL_WATCHING)
			continue;
		if (c->iface[0] && ifaces && !names(ifaces, c->iface))
			continue;
		watch_put(c, c->json ? json : text);
	}
}

/* A watcher's socket: what it sends is ignored; its end closes it. */
static void watch_io(struct ctl_client *c, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		char junk[256];
		ssize_t r;
		while ((r = read(c->fd, junk, sizeof(junk))) > 0)
			;
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(c);
			return;
		}
	}
	while (c->off < c->out.len) {
		ssize_t w = write(c->fd, c->out.p + c->off, c->out.len - c->off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			client_close(c);
			return;
		}
		c->off += (size_t)w;
	}
	c->out.len = c->off = 0;
	if (c->lost) {
		/* room again: say what was lost now, not at the next event */
		if (!watch_put(c, ""))
			return;
		if (c->out.len)
			return; /* (EPOLLOUT stays on: it goes out next) */
	}
	if (c->want_out && set_events(c, EPOLLIN) == 0)
		c->want_out = false;
}

static void client_read(struct ctl_client *c)
{
	for (;;) {
		size_t room = CTL_REQ_MAX - c->reqlen;
		if (room == 0) {
			/* no newline in CTL_REQ_MAX bytes: refuse, then close */
			c->srv->too_long++;
			dbuf_printf(&c->out, "error: request longer than %d bytes\n", CTL_REQ_MAX);
			c->state = CTL_WRITING;
			c->hdrlen = c->off = 0;
			if (c->out.failed || set_events(c, EPOLLOUT) < 0)
				client_close(c);
			return;
		}
		ssize_t r = read(c->fd, c->req + c->reqlen, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			/* gone, or an error, before a whole request */
			client_close(c);
			return;
		}
		char *nl = memchr(c->req + c->reqlen, '\n', (size_t)r);
		c->reqlen += (size_t)r;
		touch(c);
		if (nl) {
			*nl = '\0';
			run_request(c);
			return;
		}
	}
}

static void client_write(struct ctl_client *c)
{
	for (;;) {
		struct iovec iov[2];
		int n = 0;
		if (c->off < c->hdrlen)
			iov[n++] = (struct iovec){ c->hdr + c->off, c->hdrlen - c->off };
		size_t boff = c->off > c->hdrlen ? c->off - c->hdrlen : 0;
		if (boff < c->out.len)
			iov[n++] = (struct iovec){ c->out.p + boff, c->out.len - boff };
		if (n == 0) {
			c->srv->answered++;
			client_close(c);
			return;
		}
		ssize_t w = writev(c->fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			client_close(c); /* the client went away */
			return;
		}
		c->off += (size_t)w;
		touch(c);
	}
}

void ctl_server_event(struct ctl_server *s, unsigned slot, uint32_t events)
{
	struct ctl_client *c = slot < CTL_MAX_CLIENTS ? s->clients[slot] : NULL;
	if (!c)
		return; /* closed earlier in this batch of events */
	if (c->state == CTL_READING && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		client_read(c);
	else if (c->state == CTL_WRITING && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)))
		client_write(c);
	else if (c->state == CTL_WATCHING)
		watch_io(c, events);
}
