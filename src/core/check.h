/*
 * Shared by the engines' invariant checks (src/router/check.c,
 * src/host/check.c, src/mroute/check.c): the way a check reports its
 * first violation, and the sanitizer build's check-or-abort.
 */
#ifndef MCAST_CORE_CHECK_H
#define MCAST_CORE_CHECK_H

#include <stdio.h>
#include <stdlib.h>

/* In a function with parameters (char *why, size_t len): says what is
 * wrong and returns -1. */
#define MCAST_CHECK_FAIL(...)                              \
	do {                                               \
		if (why)                                   \
			snprintf(why, len, __VA_ARGS__);   \
		return -1;                                 \
	} while (0)

/* Builds with MCAST_CHECK_INVARIANTS (the sanitizer build) run an
 * engine's check after its operations and abort on a violation. */
#ifdef MCAST_CHECK_INVARIANTS
#define MCAST_CHECK_OR_ABORT(check, obj, engine)                                            \
	do {                                                                                 \
		char why_[256];                                                              \
		if (check((obj), why_, sizeof(why_)) < 0) {                                  \
			fprintf(stderr, "mcast %s invariant broken: %s\n", (engine), why_);  \
			abort();                                                             \
		}                                                                            \
	} while (0)
#else
#define MCAST_CHECK_OR_ABORT(check, obj, engine) ((void)(obj))
#endif

#endif
