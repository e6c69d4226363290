/*
 * A test-only LD_PRELOAD shim that makes the kernel's multicast routing
 * calls fail or silently not happen, so tests/faults can check that
 * mcastd's reconciler retries and repairs (src/daemon/reconcile.c).
 *
 * MCAST_FAULT_FILE names a file of rules, one per line:
 *
 *   OP MODE COUNT      OP: add_mfc del_mfc add_vif del_vif (either family)
 *                      MODE: fail (-1, errno EIO) or drop (0, nothing done)
 *                      COUNT: how many calls, or * for every call
 *
 * The file is read again whenever it changes (inode, size or mtime);
 * counts start over then. An empty or missing file means no faults.
 * Every faked call is counted on stderr ("faultshim: ...") for the log.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h> /* before the linux headers, as src/linux/kernel.c */
#include <linux/mroute.h>
#include <linux/mroute6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

enum { OP_ADD_MFC, OP_DEL_MFC, OP_ADD_VIF, OP_DEL_VIF, OP_N };
static const char *const op_names[OP_N] = { "add_mfc", "del_mfc", "add_vif", "del_vif" };

static struct {
	int mode;   /* 0 none, 1 fail, 2 drop */
	long left;  /* -1 = every call */
} rules[OP_N];
static struct stat seen;

static void reload(void)
{
	const char *path = getenv("MCAST_FAULT_FILE");
	struct stat st;
	if (!path || stat(path, &st) < 0) {
		memset(rules, 0, sizeof(rules));
		memset(&seen, 0, sizeof(seen));
		return;
	}
	if (st.st_ino == seen.st_ino && st.st_size == seen.st_size && st.st_mtim.tv_sec == seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == seen.st_mtim.tv_nsec)
		return;
	seen = st;
	memset(rules, 0, sizeof(rules));
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char op[32], mode[16], count[32];
	while (fscanf(f, "%31s %15s %31s", op, mode, count) == 3)
		for (int i = 0; i < OP_N; i++)
			if (!strcmp(op, op_names[i])) {
				rules[i].mode = !strcmp(mode, "fail") ? 1 : !strcmp(mode, "drop") ? 2 : 0;
				rules[i].left = !strcmp(count, "*") ? -1 : atol(count);
			}
	fclose(f);
}

static int op_of(int level, int name)
{
	if (level == IPPROTO_IP) {
		switch (name) {
		case MRT_ADD_MFC: return OP_ADD_MFC;
		case MRT_DEL_MFC: return OP_DEL_MFC;
		case MRT_ADD_VIF: return OP_ADD_VIF;
		case MRT_DEL_VIF: return OP_DEL_VIF;
		}
	} else if (level == IPPROTO_IPV6) {
		switch (name) {
		case MRT6_ADD_MFC: return OP_ADD_MFC;
		case MRT6_DEL_MFC: return OP_DEL_MFC;
		case MRT6_ADD_MIF: return OP_ADD_VIF;
		case MRT6_DEL_MIF: return OP_DEL_VIF;
		}
	}
	return -1;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	int op = op_of(level, name);
	if (op >= 0) {
		reload();
		if (rules[op].mode && rules[op].left != 0) {
			if (rules[op].left > 0)
				rules[op].left--;
			fprintf(stderr, "faultshim: %s %s\n", op_names[op], rules[op].mode == 1 ? "failed" : "dropped");
			if (rules[op].mode == 1) {
				errno = EIO;
				return -1;
			}
			return 0;
		}
	}
	return real(fd, level, name, val, len);
}
