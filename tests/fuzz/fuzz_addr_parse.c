/*
 * libFuzzer target for the address and prefix parsers: any text must
 * parse or fail cleanly; whatever parses prints to text that parses to
 * the same address, and agrees with the C library's inet_pton.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "mcast/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[128];
	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) != size)
		return 0;

	struct mcast_addr a, b;
	int rc = mcast_addr_parse(&a, s);
	uint8_t libc[16];
	int v4 = inet_pton(AF_INET, s, libc) == 1, v6 = inet_pton(AF_INET6, s, libc) == 1;
	if ((rc == 0) != (v4 || v6))
		abort(); /* disagreement with the C library */
	if (rc == 0) {
		char t[MCAST_ADDR_STRLEN];
		mcast_addr_str(&a, t);
		if (mcast_addr_parse(&b, t) != 0 || !mcast_addr_eq(&a, &b))
			abort();
		if (v6 && !mcast_addr_is_v4(&a) && memcmp(a.b, libc, 16) != 0)
			abort();
	}
	struct mcast_prefix p;
	if (mcast_prefix_parse(&p, s) == 0) {
		char t[80];
		struct mcast_prefix q;
		mcast_prefix_str(&p, t, sizeof(t));
		if (mcast_prefix_parse(&q, t) != 0 || q.len != p.len || !mcast_addr_eq(&q.addr, &p.addr))
			abort();
		if (!mcast_prefix_contains(&p, &p.addr))
			abort();
	}
	return 0;
}
