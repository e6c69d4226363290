/*
 * DOC: family profiles
 *
 * The constants that make IGMP and MLD differ (RFC 3376 4 and RFC 3810
 * 5); everything else in the wire, host and router layers is shared.
 */
#include "mcast/wire.h"

const struct mcast_profile mcast_profile_igmp = {
	.family = MCAST_AF_INET,
	.name = "IGMP",
	.alen = 4,
	.proto = MCAST_IPPROTO_IGMP,
	.max_version = 3,
	.type_query = MCAST_IGMP_QUERY,
	.type_v1_report = MCAST_IGMP_V1_REPORT,
	.type_v2_report = MCAST_IGMP_V2_REPORT,
	.type_leave = MCAST_IGMP_V2_LEAVE,
	.type_v3_report = MCAST_IGMP_V3_REPORT,
	.v1v2_len = 8,
	.v3_query_hdr = 12,
	.any = &mcast_addr_any4,
	.all_hosts = &mcast_addr_all_systems,
	.all_routers = &mcast_addr_all_routers4,
	.v3_routers = &mcast_addr_igmpv3_routers,
};

const struct mcast_profile mcast_profile_mld = {
	.family = MCAST_AF_INET6,
	.name = "MLD",
	.alen = 16,
	.proto = MCAST_IPPROTO_ICMPV6,
	.max_version = 2,
	.type_query = MCAST_MLD_QUERY,
	.type_v1_report = MCAST_MLD_V1_REPORT,
	.type_v2_report = MCAST_MLD_V1_REPORT,
	.type_leave = MCAST_MLD_V1_DONE,
	.type_v3_report = MCAST_MLD_V2_REPORT,
	.v1v2_len = 24,
	.v3_query_hdr = 28,
	.any = &mcast_addr_any6,
	.all_hosts = &mcast_addr_all_nodes,
	.all_routers = &mcast_addr_all_routers6,
	.v3_routers = &mcast_addr_mldv2_routers,
};
