/*
 * report_json.c: report --format json and ndjson.
 *
 * json is the contract's document:
 *   {"generated", "since", "until", "repos": [{"name", "commits": [...]}]}
 * with every repository (an empty "commits" where nothing changed) and
 * the commit objects of query_commit_json(), newest first, landed and
 * proposed alike (each says which in "landed").
 *
 * ndjson is the same document cut into lines: one line per repository,
 * {"name", "generated", "since", "until", "commits"}, so that every
 * repository is listed and each line stands alone (daily reports can be
 * appended to one file and still be told apart).
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "query.h"

#include <string.h>

static void json_time(struct buf *b, int64_t t)
{
	buf_addch(b, '"');
	date_format_iso(b, t);
	buf_addch(b, '"');
}

static void json_window(struct buf *b, const struct report *r)
{
	buf_addstr(b, "\"generated\":");
	json_time(b, r->generated);
	buf_addstr(b, ",\"since\":");
	json_time(b, r->since);
	buf_addstr(b, ",\"until\":");
	json_time(b, r->until);
}

/* The commits of rr as a JSON array, flushing as it goes. */
static int json_commits(struct buf *b, const struct report_repo *rr,
			const char *sep, FILE *out)
{
	size_t k;

	buf_addch(b, '[');
	for (k = 0; k < rr->ncommits; k++) {
		if (k)
			buf_addch(b, ',');
		buf_addstr(b, sep);
		query_commit_json(b, rr->name, &rr->commits[k]);
		if (b->len > 65536 && report_flush(b, out) < 0)
			return -1;
	}
	buf_addch(b, ']');
	return 0;
}

static int json_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ret = 0;

	buf_addch(&b, '{');
	json_window(&b, r);
	buf_addstr(&b, ",\"repos\":[");
	for (i = 0; i < r->nrepos && !ret; i++) {
		const struct report_repo *rr = &r->repos[i];

		buf_addstr(&b, i ? ",\n{\"name\":" : "\n{\"name\":");
		esc_json(&b, rr->name, strlen(rr->name));
		buf_addstr(&b, ",\"commits\":");
		ret = json_commits(&b, rr, "\n", out);
		buf_addch(&b, '}');
	}
	buf_addstr(&b, r->nrepos ? "\n]}\n" : "]}\n");
	if (!ret)
		ret = report_flush(&b, out);
	buf_release(&b);
	return ret;
}

static int ndjson_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < r->nrepos && !ret; i++) {
		const struct report_repo *rr = &r->repos[i];

		buf_addstr(&b, "{\"name\":");
		esc_json(&b, rr->name, strlen(rr->name));
		buf_addch(&b, ',');
		json_window(&b, r);
		buf_addstr(&b, ",\"commits\":");
		ret = json_commits(&b, rr, "", out);
		buf_addstr(&b, "}\n");
		if (!ret)
			ret = report_flush(&b, out);
	}
	buf_release(&b);
	return ret;
}

const struct report_format report_json = { "json", 0, json_write };
const struct report_format report_ndjson = { "ndjson", 0, ndjson_write };
