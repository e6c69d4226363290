/*
 * DOC: logging
 *
 * The core formats a line and hands it to the embedder's callback; it
 * never writes to a file or exits. DEBUG lines pass only for the
 * categories in the debug mask. Rate limiting is a token bucket per
 * call site (per drop reason, say) that the caller owns.
 */
#include <stdio.h>

#include "mcast/core.h"

void mcast_vlogf(const struct mcast_log *log, enum mcast_log_level level, unsigned cat,
		 const char *fmt, va_list ap)
{
	if (!log || !log->fn)
		return;
	if (level == MCAST_LOG_DEBUG && !(log->debug_mask & cat))
		return;
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log->fn(log->ctx, level, cat, buf);
}

void mcast_logf(const struct mcast_log *log, enum mcast_log_level level, unsigned cat,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mcast_vlogf(log, level, cat, fmt, ap);
	va_end(ap);
}

void mcast_ratelimit_init(struct mcast_ratelimit *rl, mcast_time_ms interval_ms,
			  uint32_t burst)
{
	rl->window_start_ms = 0;
	rl->interval_ms = interval_ms;
	rl->burst = burst;
	rl->used = 0;
	rl->suppressed = 0;
}

bool mcast_ratelimit_ok(struct mcast_ratelimit *rl, mcast_time_ms now_ms)
{
	if (now_ms >= rl->window_start_ms + rl->interval_ms || now_ms < rl->window_start_ms) {
		rl->window_start_ms = now_ms;
		rl->suppressed = rl->used > rl->burst ? rl->used - rl->burst : 0;
		rl->used = 0;
	}
	rl->used++;
	return rl->used <= rl->burst;
}
