/* mcastd's configuration parser on arbitrary text: it must reject or
 * accept without crashing, and what it accepts must be consistent. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mcastd_config c;
	if (size == 0)
		return 0;
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	int rc = cfg_parse(&c, f, "fuzz", NULL);
	fclose(f);
	if (rc == 0) {
		CHECK(c.niface > 0 && c.niface <= CFG_MAX_IFACES);
		for (unsigned i = 0; i < c.nroute; i++) {
			CHECK(cfg_iface_find(&c, c.route[i].from) != NULL);
			CHECK(c.route[i].nout > 0);
			for (unsigned k = 0; k < c.route[i].nout; k++)
				CHECK(cfg_iface_find(&c, c.route[i].to[k]) != NULL);
		}
		for (unsigned i = 0; i < c.niface; i++)
			CHECK(c.iface[i].rc4.query_response_ms < c.iface[i].rc4.query_interval_ms);
		struct mcast_addr g, s;
		mcast_addr_parse(&g, "239.1.1.1");
		mcast_addr_parse(&s, "10.0.0.1");
		cfg_acl_allows(&c, c.iface[0].name, &g, &s);
	}
	return 0;
}
