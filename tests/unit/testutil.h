/* Helpers shared by the unit tests. */
#ifndef MCAST_TESTUTIL_H
#define MCAST_TESTUTIL_H

#include <errno.h>
#include <setjmp.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcast/core.h"
#include "mcast/wire.h"

static inline struct mcast_addr A(const char *s)
{
	struct mcast_addr a;
	if (mcast_addr_parse(&a, s) != 0)
		fail_msg("test address %s does not parse", s);
	return a;
}

/* Parses "45 c0 00 1c ..." (whitespace ignored) into out; returns length. */
static inline size_t hex2bin(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (*hex) {
		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1 || n >= cap)
			fail_msg("bad hex vector near '%.8s'", hex);
		out[n++] = (uint8_t)v;
		hex += 2;
	}
	return n;
}

/* Collects the packets an encoder emits. */
struct pkts {
	unsigned n;
	size_t len[64];
	uint8_t data[64][1600];
};

static inline void pkts_emit(void *ctx, const uint8_t *p, size_t len)
{
	struct pkts *k = ctx;
	if (k->n >= 64 || len > sizeof(k->data[0]))
		fail_msg("too many or too large packets emitted");
	memcpy(k->data[k->n], p, len);
	k->len[k->n++] = len;
}

/* A message with buffers large enough for any test packet. */
struct msgbuf {
	struct mcast_msg m;
	struct mcast_addr srcs[4096];
	struct mcast_group_record recs[1024];
};

static inline struct mcast_msg *msgbuf_init(struct msgbuf *b)
{
	memset(&b->m, 0, sizeof(b->m));
	b->m.srcs = b->srcs;
	b->m.srcs_cap = 4096;
	b->m.recs = b->recs;
	b->m.recs_cap = 1024;
	return &b->m;
}

#define assert_addr_equal(a, s)                                                      \
	do {                                                                         \
		char buf_[MCAST_ADDR_STRLEN];                                        \
		assert_string_equal(mcast_addr_str((a), buf_), (s));                 \
	} while (0)

#endif
