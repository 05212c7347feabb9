/*
 * report_sarif.c: report --format sarif, SARIF 2.1.0 (OASIS), for code
 * scanning dashboards and SARIF viewers.
 *
 * One run per repository (every one, so an empty repository is an empty
 * run, as the other formats list it), one result per match of a commit
 * of the window:
 *   ruleId/ruleIndex    the rule, described in tool.driver.rules (the
 *                       rules that appear in the run, by id)
 *   message.text        tags, what the rule looks for, the commit
 *   locations           the file (artifactLocation.uri, percent-encoded,
 *                       relative to the repository's root) and, for a line
 *                       match, region.startLine and the line as snippet
 *                       (the old file's line for a removed line); a path
 *                       match has no region; a message match has a logical
 *                       location, the commit, instead of a file
 *   partialFingerprints one stable key per match, so viewers can track it
 *   properties          repo, commit, time, author, subject, pr, landed,
 *                       side, tags
 * Results are notes: a tag says what a change does, not that it is wrong.
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#define SUBJECT_MAX 300

static void jstr(struct buf *b, const char *s)
{
	esc_json(b, s, strlen(s));
}

/* RFC 3986: every byte but the unreserved ones and "/" as %XX, so a path
 * with blanks, "%", ":" or invalid UTF-8 is still a valid reference. */
static void uri_path(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			buf_addch(b, *p);
		else
			buf_addf(b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

/* "a b" as a JSON array of strings. */
static void jwords(struct buf *b, const char *s)
{
	int first = 1;

	buf_addch(b, '[');
	while (*s) {
		size_t len;

		s += strspn(s, " ");
		len = strcspn(s, " ");
		if (len) {
			if (!first)
				buf_addch(b, ',');
			esc_json(b, s, len);
			first = 0;
		}
		s += len;
	}
	buf_addch(b, ']');
}

struct run_rule {
	const char *id;
	const char *tags;	/* as the first match carried them */
};

static int cmp_rule(const void *a, const void *b)
{
	return strcmp(((const struct run_rule *)a)->id,
		      ((const struct run_rule *)b)->id);
}

/* The distinct rules of rr's matches, by id. */
static struct run_rule *run_rules(const struct report_repo *rr, size_t *n)
{
	struct run_rule *v = NULL;
	size_t alloc = 0, i, k;
	uint32_t m;

	*n = 0;
	for (i = 0; i < rr->ncommits; i++) {
		const struct commit *c = &rr->commits[i];

		for (m = 0; m < c->nmatches; m++) {
			for (k = 0; k < *n; k++)
				if (!strcmp(v[k].id, c->matches[m].rule))
					break;
			if (k < *n)
				continue;
			ALLOC_GROW(v, *n + 1, alloc);
			v[*n].id = c->matches[m].rule;
			v[*n].tags = c->matches[m].tags;
			(*n)++;
		}
	}
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_rule);
	return v;
}

static const char *describe(const struct report *r, const char *id)
{
	long i;

	if (!r->rules)
		return NULL;
	i = rules_find(r->rules, id);
	if (i < 0 || !*r->rules->rule[i].describe)
		return NULL;
	return r->rules->rule[i].describe;
}

static void sarif_rule(struct buf *b, const struct report *r,
		       const struct run_rule *ru)
{
	const char *d = describe(r, ru->id);
	struct buf text = BUF_INIT;

	buf_addstr(b, "{\"id\":");
	jstr(b, ru->id);
	if (d)
		buf_addstr(&text, d);
	else
		buf_addf(&text, "tags: %s", ru->tags);
	buf_addstr(b, ",\"shortDescription\":{\"text\":");
	esc_json(b, text.ptr, text.len);
	buf_addstr(b, "},\"defaultConfiguration\":{\"level\":\"note\"},"
		   "\"properties\":{\"tags\":");
	jwords(b, ru->tags);
	buf_addstr(b, "}}");
	buf_release(&text);
}

static void sarif_location(struct buf *b, const struct match *m,
			   const char *hex)
{
	if (m->side == RULE_SIDE_MESSAGE || !m->path) {
		buf_addf(b, "{\"logicalLocations\":[{\"name\":\"commit "
			 "message\",\"fullyQualifiedName\":\"%s\","
			 "\"kind\":\"resource\"}]}", hex);
		return;
	}
	buf_addstr(b, "{\"physicalLocation\":{\"artifactLocation\":{"
		   "\"uri\":\"");
	uri_path(b, m->path);
	buf_addstr(b, "\"}");
	if (m->side != RULE_SIDE_PATH && m->line) {
		buf_addf(b, ",\"region\":{\"startLine\":%u,\"snippet\":"
			 "{\"text\":", m->line);
		jstr(b, m->text);
		buf_addstr(b, "}}");
	}
	buf_addstr(b, "}}");
}

static void sarif_result(struct buf *b, const struct report *r,
			 const struct report_repo *rr, const struct commit *c,
			 const struct match *m, size_t rule_index)
{
	char hex[OID_HEXSZ + 1];
	struct buf text = BUF_INIT;
	const char *d = describe(r, m->rule), *subj;
	size_t len;
	int cut;

	report_hex(hex, c->oid);
	buf_addstr(b, "{\"ruleId\":");
	jstr(b, m->rule);
	buf_addf(b, ",\"ruleIndex\":%zu,\"level\":\"note\",\"message\":"
		 "{\"text\":", rule_index);
	/* "kernel/int-overflow: index arithmetic widened, in b62d93f
	 * "Fix int32 overflow (#2260)"" */
	buf_addstr(&text, m->tags);
	if (d)
		buf_addf(&text, ": %s", d);
	buf_addf(&text, ", in %.7s \"", hex);
	report_snippet(c->subject, SUBJECT_MAX, &subj, &len, &cut);
	buf_add(&text, subj, len);
	buf_addstr(&text, cut ? "\xe2\x80\xa6\"" : "\"");
	esc_json(b, text.ptr, text.len);
	buf_addstr(b, "},\"locations\":[");
	sarif_location(b, m, hex);
	buf_addstr(b, "],\"partialFingerprints\":{\"mirrorscanMatch/v1\":");
	buf_reset(&text);
	buf_addf(&text, "%s:%s:%s:%s:%u", hex, m->rule,
		 report_side_name(m->side), m->path ? m->path : "", m->line);
	esc_json(b, text.ptr, text.len);
	buf_addstr(b, "},\"properties\":{\"repo\":");
	jstr(b, rr->name);
	buf_addf(b, ",\"commit\":\"%s\",\"time\":\"", hex);
	date_format_iso(b, c->time);
	buf_addstr(b, "\",\"author\":");
	jstr(b, c->author);
	buf_addstr(b, ",\"subject\":");
	jstr(b, c->subject);
	if (c->pr)
		buf_addf(b, ",\"pr\":%u", c->pr);
	else
		buf_addstr(b, ",\"pr\":null");
	buf_addf(b, ",\"landed\":%s,\"side\":\"%s\",\"tags\":",
		 c->flags & COMMIT_LANDED ? "true" : "false",
		 report_side_name(m->side));
	jwords(b, m->tags);
	buf_addstr(b, "}}");
	buf_release(&text);
}

static int sarif_run(struct buf *b, const struct report *r,
		     const struct report_repo *rr, FILE *out)
{
	struct run_rule *rules;
	size_t nrules, i, k, nres = 0;
	uint32_t m;
	int ret = 0;

	rules = run_rules(rr, &nrules);
	buf_addstr(b, "{\"tool\":{\"driver\":{\"name\":\"mirrorscan\","
		   "\"version\":\"" PACKAGE_VERSION "\",\"rules\":[");
	for (i = 0; i < nrules; i++) {
		buf_addstr(b, i ? ",\n" : "\n");
		sarif_rule(b, r, &rules[i]);
	}
	buf_addstr(b, "]}},\n\"invocations\":[{\"executionSuccessful\":true,"
		   "\"endTimeUtc\":\"");
	date_format_iso(b, r->generated);
	buf_addstr(b, "\"}]");
	if (rr->path && *rr->path == '/') {
		buf_addstr(b, ",\"versionControlProvenance\":[{"
			   "\"repositoryUri\":\"file://");
		uri_path(b, rr->path);
		buf_addstr(b, "\"}]");
	}
	buf_addstr(b, ",\"properties\":{\"repo\":");
	jstr(b, rr->name);
	buf_addstr(b, ",\"since\":\"");
	date_format_iso(b, r->since);
	buf_addstr(b, "\",\"until\":\"");
	date_format_iso(b, r->until);
	buf_addstr(b, "\"},\n\"results\":[");
	for (i = 0; i < rr->ncommits && !ret; i++) {
		const struct commit *c = &rr->commits[i];

		for (m = 0; m < c->nmatches; m++) {
			for (k = 0; k < nrules; k++)
				if (!strcmp(rules[k].id, c->matches[m].rule))
					break;
			buf_addstr(b, nres++ ? ",\n" : "\n");
			sarif_result(b, r, rr, c, &c->matches[m], k);
		}
		if (b->len > 65536)
			ret = report_flush(b, out);
	}
	buf_addstr(b, nres ? "\n]}" : "]}");
	free(rules);
	return ret;
}

static int sarif_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ret = 0;

	buf_addstr(&b, "{\"$schema\":\"https://json.schemastore.org/"
		   "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[");
	for (i = 0; i < r->nrepos && !ret; i++) {
		buf_addstr(&b, i ? ",\n" : "\n");
		ret = sarif_run(&b, r, &r->repos[i], out);
	}
	buf_addstr(&b, r->nrepos ? "\n]}\n" : "]}\n");
	if (!ret)
		ret = report_flush(&b, out);
	buf_release(&b);
	return ret;
}

const struct report_format report_sarif = { "sarif", REPORT_RULES,
					    sarif_write };
