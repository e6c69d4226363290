/*
 * DOC: message formatting for the programs
 *
 * Text: "IGMPv3 report: TO_EX 239.1.1.1 {} ALLOW 239.1.1.2 {10.0.0.5
 * 10.0.0.6}". JSON members use the names of DESIGN.md's state schema
 * where they overlap (group, sources).
 */
#include "tools.h"

void format_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void text_sources(FILE *out, const struct mcast_addr *s, size_t n)
{
	char a[MCAST_ADDR_STRLEN];
	fputc('{', out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? " " : "", mcast_addr_str(&s[i], a));
	fputc('}', out);
}

static void json_sources(FILE *out, const struct mcast_addr *s, size_t n)
{
	char a[MCAST_ADDR_STRLEN];
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		format_json_str(out, mcast_addr_str(&s[i], a));
	}
	fputc(']', out);
}

void format_msg_text(FILE *out, const struct mcast_msg *m)
{
	char a[MCAST_ADDR_STRLEN];
	fprintf(out, "%s", mcast_msg_name(m));
	switch (m->kind) {
	case MCAST_MSG_QUERY:
		if (mcast_addr_is_unspecified(&m->group))
			fprintf(out, " general");
		else
			fprintf(out, " %s", mcast_addr_str(&m->group, a));
		fprintf(out, " max_resp=%ums", m->max_resp_ms);
		if (m->version == (m->family == MCAST_AF_INET ? 3 : 2)) {
			fprintf(out, " qrv=%u qqi=%us%s", m->qrv, m->qqi_s, m->s_flag ? " S" : "");
			if (m->nsrcs) {
				fputc(' ', out);
				text_sources(out, m->srcs, m->nsrcs);
			}
		}
		break;
	case MCAST_MSG_REPORT:
	case MCAST_MSG_LEAVE:
		fprintf(out, " %s", mcast_addr_str(&m->group, a));
		break;
	case MCAST_MSG_V3_REPORT:
		fputc(':', out);
		for (unsigned i = 0; i < m->nrecs; i++) {
			const struct mcast_group_record *g = &m->recs[i];
			fprintf(out, " %s %s ", mcast_rec_type_name(g->type),
				mcast_addr_str(&g->group, a));
			text_sources(out, m->srcs + g->src_index, g->nsrcs);
			if (g->aux_words)
				fprintf(out, " aux=%u", g->aux_words * 4);
		}
		if (m->skipped_recs)
			fprintf(out, " (%u records of unknown type skipped)", m->skipped_recs);
		break;
	}
}

void format_msg_json(FILE *out, const struct mcast_msg *m)
{
	char a[MCAST_ADDR_STRLEN];
	fprintf(out, "\"message\":");
	format_json_str(out, mcast_msg_name(m));
	fprintf(out, ",\"family\":\"%s\",\"version\":%u,\"type\":%u", m->family == MCAST_AF_INET ? "ipv4" : "ipv6",
		m->version, m->type);
	switch (m->kind) {
	case MCAST_MSG_QUERY:
		fprintf(out, ",\"group\":");
		format_json_str(out, mcast_addr_str(&m->group, a));
		fprintf(out, ",\"max_resp_code\":%u,\"max_resp_ms\":%u", m->max_resp_code,
			m->max_resp_ms);
		if (m->version == (m->family == MCAST_AF_INET ? 3 : 2)) {
			fprintf(out, ",\"s_flag\":%s,\"qrv\":%u,\"qqic\":%u,\"qqi_s\":%u,\"sources\":",
				m->s_flag ? "true" : "false", m->qrv, m->qqic, m->qqi_s);
			json_sources(out, m->srcs, m->nsrcs);
		}
		break;
	case MCAST_MSG_REPORT:
	case MCAST_MSG_LEAVE:
		fprintf(out, ",\"group\":");
		format_json_str(out, mcast_addr_str(&m->group, a));
		break;
	case MCAST_MSG_V3_REPORT:
		fprintf(out, ",\"records_on_wire\":%u,\"records_skipped\":%u,\"records\":[",
			m->nrecs_wire, m->skipped_recs);
		for (unsigned i = 0; i < m->nrecs; i++) {
			const struct mcast_group_record *g = &m->recs[i];
			fprintf(out, "%s{\"type\":\"%s\",\"type_code\":%u,\"group\":", i ? "," : "",
				mcast_rec_type_name(g->type), g->type);
			format_json_str(out, mcast_addr_str(&g->group, a));
			fprintf(out, ",\"aux_bytes\":%u,\"sources\":", g->aux_words * 4u);
			json_sources(out, m->srcs + g->src_index, g->nsrcs);
			fputc('}', out);
		}
		fputc(']', out);
		break;
	}
}
