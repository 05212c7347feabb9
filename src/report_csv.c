/*
 * report_csv.c: report --format csv: RFC 4180, CRLF line ends, one row
 * per commit of the window (landed and proposed; the "landed" column
 * tells them apart), repository by repository in name order, each newest
 * first.  The columns are those of log --format csv, so one reader serves
 * both:
 *
 *   repo,oid,time,author,email,subject,pr,landed,tags,files,added,removed
 *
 * A repository with no commit in the window has no row: CSV has no place
 * for it without breaking "one row per commit" (json lists it).
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"

#include <string.h>

static void field(struct buf *b, const char *s, int last)
{
	esc_csv(b, s, strlen(s));
	buf_addstr(b, last ? "\r\n" : ",");
}

static void row(struct buf *b, const char *repo, const struct commit *c)
{
	struct buf tmp = BUF_INIT;
	char hex[OID_HEXSZ + 1];
	uint64_t added, removed;
	uint32_t i;

	report_hex(hex, c->oid);
	field(b, repo, 0);
	field(b, hex, 0);
	date_format_iso(&tmp, c->time);
	field(b, tmp.ptr, 0);
	field(b, c->author, 0);
	field(b, c->email, 0);
	field(b, c->subject, 0);
	buf_reset(&tmp);
	if (c->pr)
		buf_addf(&tmp, "%u", c->pr);
	field(b, tmp.ptr, 0);
	field(b, c->flags & COMMIT_LANDED ? "true" : "false", 0);
	buf_reset(&tmp);
	for (i = 0; i < c->ntags; i++) {
		if (i)
			buf_addch(&tmp, ' ');
		buf_addstr(&tmp, c->tags[i]);
	}
	field(b, tmp.ptr, 0);
	report_line_counts(c, &added, &removed);
	buf_addf(b, "%u,%llu,%llu\r\n", c->nfiles_total,
		 (unsigned long long)added, (unsigned long long)removed);
	buf_release(&tmp);
}

static int csv_write(const struct report *r, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int ret = 0;

	buf_addstr(&b, "repo,oid,time,author,email,subject,pr,landed,tags,"
		   "files,added,removed\r\n");
	for (i = 0; i < r->nrepos && !ret; i++) {
		const struct report_repo *rr = &r->repos[i];

		for (k = 0; k < rr->ncommits && !ret; k++) {
			row(&b, rr->name, &rr->commits[k]);
			if (b.len > 65536)
				ret = report_flush(&b, out);
		}
	}
	if (!ret)
		ret = report_flush(&b, out);
	buf_release(&b);
	return ret;
}

const struct report_format report_csv = { "csv", 0, csv_write };
