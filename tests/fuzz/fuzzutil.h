/* Shared by the libFuzzer targets: reading a program from the input. */
#ifndef MCAST_FUZZUTIL_H
#define MCAST_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define CHECK(c)                                                              \
	do {                                                                  \
		if (!(c))                                                     \
			abort();                                              \
	} while (0)

/* The input as a byte stream; reads past the end give 0. */
struct rd {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t rd(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

#endif
