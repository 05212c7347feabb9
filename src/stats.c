/*
 * stats.c: commits per period and tag (see stats.h).
 *
 * Each selected repository's commits are read oldest first by time key
 * range and decoded one at a time into a scratch arena; a landed commit
 * adds one entry (period, -1) for the COMMITS column, one (period, -2)
 * for TAGGED when it carries a counted tag, and one (period, tag) per
 * counted tag.  The entries are sorted and counted in one pass.  Proposed
 * commits (pull requests not landed) are not counted: they would count a
 * change twice once it lands, and often more than once before.
 *
 * Periods are UTC: a day, an ISO 8601 week (Monday to Sunday, labelled
 * "2026-W07" with the ISO week-year) or a calendar month.  Periods with no
 * commits between the first and the last are listed too, with zeros, so
 * that a gap shows, up to MAX_FILLED_ROWS rows.
 */
#include "config.h"
#include "stats.h"
#include "arena.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "index.h"
#include "msg.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY 86400
/* Past this many periods only those with commits are listed: a commit
 * dated in the year 30000 must not make a million empty rows. */
#define MAX_FILLED_ROWS 10000

int stats_by_parse(const char *s)
{
	if (!strcmp(s, "day"))
		return STATS_DAY;
	if (!strcmp(s, "week"))
		return STATS_WEEK;
	if (!strcmp(s, "month"))
		return STATS_MONTH;
	return -1;
}

/* The day number of t (floor division, also before 1970). */
static int64_t day_number(int64_t t)
{
	return date_day_start(t) / DAY;
}

static int to_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	return (int64_t)tt == t && gmtime_r(&tt, tm) ? 0 : -1;
}

/* The start of the period holding t. */
static int64_t period_start(enum stats_by by, int64_t t)
{
	struct tm tm;
	int64_t d = day_number(t), wd;

	switch (by) {
	case STATS_DAY:
		return date_day_start(t);
	case STATS_WEEK:
		/* 1970-01-01 was a Thursday: Monday-based weekday 3 */
		wd = ((d + 3) % 7 + 7) % 7;
		return (d - wd) * DAY;
	default:
		if (to_tm(t, &tm) < 0)
			return date_day_start(t);
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		return (int64_t)timegm(&tm);
	}
}

/* The start of the next period; always later than start, even where
 * timegm() gives up (years beyond what struct tm holds). */
static int64_t period_next(enum stats_by by, int64_t start)
{
	struct tm tm;
	int64_t next;

	if (start > INT64_MAX - 31 * DAY)
		return INT64_MAX;
	switch (by) {
	case STATS_DAY:
		return start + DAY;
	case STATS_WEEK:
		return start + 7 * DAY;
	default:
		if (to_tm(start, &tm) < 0)
			return start + 31 * DAY;
		tm.tm_mon++;
		next = (int64_t)timegm(&tm);
		return next > start ? next : start + 31 * DAY;
	}
}

static void period_label(struct buf *b, enum stats_by by, int64_t start)
{
	struct tm tm;

	switch (by) {
	case STATS_DAY:
		date_format_day(b, start);
		return;
	case STATS_WEEK:
		/* the ISO week-year and week are those of its Thursday */
		if (to_tm(start + 3 * DAY, &tm) < 0)
			break;
		buf_addf(b, "%04lld-W%02d", (long long)tm.tm_year + 1900,
			 tm.tm_yday / 7 + 1);
		return;
	default:
		if (to_tm(start, &tm) < 0)
			break;
		buf_addf(b, "%04lld-%02d", (long long)tm.tm_year + 1900,
			 tm.tm_mon + 1);
		return;
	}
	date_format_day(b, start);
}

static const char *by_name(enum stats_by by)
{
	return by == STATS_DAY ? "day" : by == STATS_WEEK ? "week" : "month";
}

/* ---- counting ------------------------------------------------------ */

#define COL_COMMITS (-1)
#define COL_TAGGED (-2)

struct entry {
	int64_t period;
	long col;		/* a tag's index, or COL_* */
};

struct stats_state {
	const struct stats_opts *o;
	struct entry *v;
	size_t n, alloc;
	char **tags;		/* the columns */
	size_t ntags, talloc;
	int64_t lo, hi;		/* earliest and latest period seen */
	size_t ncommits;
	struct arena a;
};

static void add(struct stats_state *st, int64_t period, long col)
{
	ALLOC_GROW(st->v, st->n + 1, st->alloc);
	st->v[st->n].period = period;
	st->v[st->n].col = col;
	st->n++;
}

static long tag_col(struct stats_state *st, const char *tag)
{
	size_t i;

	for (i = 0; i < st->ntags; i++)
		if (!strcmp(st->tags[i], tag))
			return (long)i;
	if (st->o->ntags)
		return -1;	/* not one of --tag */
	ALLOC_GROW(st->tags, st->ntags + 1, st->talloc);
	st->tags[st->ntags] = xstrdup(tag);
	return (long)st->ntags++;
}

static int count_one(uint32_t repo, const struct commit *c, void *payload)
{
	struct stats_state *st = payload;
	int64_t p;
	uint32_t i;
	int tagged = 0;

	(void)repo;
	if (c->flags & COMMIT_LANDED) {
		p = period_start(st->o->by, c->time);
		if (!st->ncommits++ || p < st->lo)
			st->lo = p;
		if (st->ncommits == 1 || p > st->hi)
			st->hi = p;
		add(st, p, COL_COMMITS);
		for (i = 0; i < c->ntags; i++) {
			long col = tag_col(st, c->tags[i]);

			if (col >= 0) {
				add(st, p, col);
				tagged = 1;
			}
		}
		if (tagged)
			add(st, p, COL_TAGGED);
	}
	arena_reset(&st->a);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- output -------------------------------------------------------- */

struct row {
	int64_t period;
	size_t commits, tagged;
	size_t *tags;		/* ntags counts */
};

struct table {
	struct row *rows;
	size_t nrows, alloc;
};

static void text_cell(struct buf *b, const char *s, size_t width, int right,
		      int last)
{
	size_t len = strlen(s), pad = len < width ? width - len : 0;

	if (right)
		while (pad--)
			buf_addch(b, ' ');
	buf_addstr(b, s);
	if (!right && !last)
		while (pad--)
			buf_addch(b, ' ');
	if (!last)
		buf_addstr(b, "  ");
}

static int write_text(const struct stats_state *st, const struct table *t,
		      FILE *out)
{
	struct buf b = BUF_INIT, cell = BUF_INIT;
	char **heads = xcalloc(st->ntags + 1, sizeof(*heads));
	size_t *w = xcalloc(st->ntags + 3, sizeof(*w));
	size_t i, k, ncols = st->ntags + 3;
	int ret;

	w[0] = strlen("PERIOD");
	w[1] = strlen("COMMITS");
	w[2] = strlen("TAGGED");
	for (k = 0; k < st->ntags; k++) {
		buf_reset(&cell);
		esc_text(&cell, st->tags[k], strlen(st->tags[k]));
		heads[k] = xstrdup(cell.ptr);
		w[k + 3] = strlen(heads[k]);
	}
	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		buf_reset(&cell);
		period_label(&cell, st->o->by, r->period);
		if (cell.len > w[0])
			w[0] = cell.len;
		buf_reset(&cell);
		buf_addf(&cell, "%zu", r->commits);
		if (cell.len > w[1])
			w[1] = cell.len;
		for (k = 0; k < st->ntags; k++) {
			buf_reset(&cell);
			buf_addf(&cell, "%zu", r->tags[k]);
			if (cell.len > w[k + 3])
				w[k + 3] = cell.len;
		}
	}
	text_cell(&b, "PERIOD", w[0], 0, 0);
	text_cell(&b, "COMMITS", w[1], 1, 0);
	text_cell(&b, "TAGGED", w[2], 1, ncols == 3);
	for (k = 0; k < st->ntags; k++)
		text_cell(&b, heads[k], w[k + 3], 1, k + 4 == ncols);
	buf_addch(&b, '\n');
	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		buf_reset(&cell);
		period_label(&cell, st->o->by, r->period);
		text_cell(&b, cell.ptr, w[0], 0, 0);
		buf_reset(&cell);
		buf_addf(&cell, "%zu", r->commits);
		text_cell(&b, cell.ptr, w[1], 1, 0);
		buf_reset(&cell);
		buf_addf(&cell, "%zu", r->tagged);
		text_cell(&b, cell.ptr, w[2], 1, ncols == 3);
		for (k = 0; k < st->ntags; k++) {
			buf_reset(&cell);
			buf_addf(&cell, "%zu", r->tags[k]);
			text_cell(&b, cell.ptr, w[k + 3], 1, k + 4 == ncols);
		}
		buf_addch(&b, '\n');
		if (b.len > 65536) {
			fwrite(b.ptr, 1, b.len, out);
			buf_reset(&b);
		}
	}
	fwrite(b.ptr, 1, b.len, out);
	ret = ferror(out) ? -1 : 0;
	for (k = 0; k < st->ntags; k++)
		free(heads[k]);
	free(heads);
	free(w);
	buf_release(&b);
	buf_release(&cell);
	return ret;
}

static int write_csv(const struct stats_state *st, const struct table *t,
		     FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int ret;

	buf_addstr(&b, "period,start,commits,tagged");
	for (k = 0; k < st->ntags; k++) {
		buf_addch(&b, ',');
		esc_csv(&b, st->tags[k], strlen(st->tags[k]));
	}
	buf_addstr(&b, "\r\n");
	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		period_label(&b, st->o->by, r->period);
		buf_addch(&b, ',');
		date_format_iso(&b, r->period);
		buf_addf(&b, ",%zu,%zu", r->commits, r->tagged);
		for (k = 0; k < st->ntags; k++)
			buf_addf(&b, ",%zu", r->tags[k]);
		buf_addstr(&b, "\r\n");
		if (b.len > 65536) {
			fwrite(b.ptr, 1, b.len, out);
			buf_reset(&b);
		}
	}
	fwrite(b.ptr, 1, b.len, out);
	ret = ferror(out) ? -1 : 0;
	buf_release(&b);
	return ret;
}

static void json_bound(struct buf *b, int64_t t, int64_t none)
{
	if (t == none) {
		buf_addstr(b, "null");
		return;
	}
	buf_addch(b, '"');
	date_format_iso(b, t);
	buf_addch(b, '"');
}

static int write_json(const struct stats_state *st, const struct table *t,
		      const struct repo_info *repos, size_t nrepos, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int ret;

	buf_addf(&b, "{\"by\":\"%s\",\"since\":", by_name(st->o->by));
	json_bound(&b, st->o->since, INT64_MIN);
	buf_addstr(&b, ",\"until\":");
	json_bound(&b, st->o->until, INT64_MAX);
	buf_addstr(&b, ",\"repos\":[");
	for (i = 0; i < nrepos; i++) {
		if (i)
			buf_addch(&b, ',');
		esc_json(&b, repos[i].name, strlen(repos[i].name));
	}
	buf_addstr(&b, "],\"tags\":[");
	for (k = 0; k < st->ntags; k++) {
		if (k)
			buf_addch(&b, ',');
		esc_json(&b, st->tags[k], strlen(st->tags[k]));
	}
	buf_addstr(&b, "],\"periods\":[");
	for (i = 0; i < t->nrows; i++) {
		const struct row *r = &t->rows[i];

		buf_addstr(&b, i ? ",\n{\"period\":\"" : "\n{\"period\":\"");
		period_label(&b, st->o->by, r->period);
		buf_addstr(&b, "\",\"start\":\"");
		date_format_iso(&b, r->period);
		buf_addf(&b, "\",\"commits\":%zu,\"tagged\":%zu,\"tags\":{",
			 r->commits, r->tagged);
		for (k = 0; k < st->ntags; k++) {
			if (k)
				buf_addch(&b, ',');
			esc_json(&b, st->tags[k], strlen(st->tags[k]));
			buf_addf(&b, ":%zu", r->tags[k]);
		}
		buf_addstr(&b, "}}");
		if (b.len > 65536) {
			fwrite(b.ptr, 1, b.len, out);
			buf_reset(&b);
		}
	}
	buf_addstr(&b, t->nrows ? "\n]}\n" : "]}\n");
	fwrite(b.ptr, 1, b.len, out);
	ret = ferror(out) ? -1 : 0;
	buf_release(&b);
	return ret;
}

static struct row *new_row(struct stats_state *st, struct table *t,
			   int64_t period)
{
	struct row *r;

	ALLOC_GROW(t->rows, t->nrows + 1, t->alloc);
	r = &t->rows[t->nrows++];
	r->period = period;
	r->commits = r->tagged = 0;
	r->tags = xcalloc(st->ntags + 1, sizeof(*r->tags));
	return r;
}

/* The rows: every period from lo to hi (or, past MAX_FILLED_ROWS, only
 * those with entries), counted from the sorted entries. */
static void build_table(struct stats_state *st, struct table *t,
			int64_t lo, int64_t hi, const long *remap)
{
	size_t i = 0, nperiods = 0;
	int64_t p;
	int fill = 1;

	for (p = lo; p <= hi; p = period_next(st->o->by, p))
		if (++nperiods > MAX_FILLED_ROWS) {
			fill = 0;
			break;
		}
	p = lo;
	while (fill ? p <= hi : i < st->n) {
		int64_t cur = fill ? p : st->v[i].period;
		struct row *r = new_row(st, t, cur);

		while (i < st->n && st->v[i].period < cur)
			i++;
		for (; i < st->n && st->v[i].period == cur; i++) {
			long col = st->v[i].col;

			if (col == COL_COMMITS)
				r->commits++;
			else if (col == COL_TAGGED)
				r->tagged++;
			else
				r->tags[remap[col]]++;
		}
		if (fill)
			p = period_next(st->o->by, p);
	}
}

static int check_repos(const struct stats_opts *o, struct repo_info *all,
		       size_t nall, struct repo_info **sel, size_t *nsel)
{
	size_t i, k;

	*sel = xcalloc(nall + 1, sizeof(**sel));
	*nsel = 0;
	if (index_repos_check(all, nall, o->repos, o->nrepos) < 0)
		return -1;
	for (i = 0; i < nall; i++) {
		int keep = !o->nrepos;

		for (k = 0; k < o->nrepos && !keep; k++)
			keep = !strcmp(all[i].name, o->repos[k]);
		if (keep)
			(*sel)[(*nsel)++] = all[i];
	}
	return 0;
}

int stats_run(struct index *idx, const struct stats_opts *o, FILE *out)
{
	struct stats_state st;
	struct arena ra = ARENA_INIT;
	struct index_txn *t = NULL;
	struct repo_info *all = NULL, *sel = NULL;
	struct table tab = { NULL, 0, 0 };
	long *remap = NULL;
	char **sorted = NULL;
	size_t nall = 0, nsel = 0, i, k;
	int64_t lo, hi;
	int ret;

	memset(&st, 0, sizeof(st));
	st.o = o;
	for (i = 0; i < o->ntags; i++)
		if (tag_col(&st, o->tags[i]) < 0) {
			/* with --tag, tag_col() adds none: do it here,
			 * once per distinct tag, in the order given */
			ALLOC_GROW(st.tags, st.ntags + 1, st.talloc);
			st.tags[st.ntags++] = xstrdup(o->tags[i]);
		}
	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &ra, &all, &nall)) < 0)
		goto out;
	if ((ret = check_repos(o, all, nall, &sel, &nsel)) < 0)
		goto out;
	for (i = 0; i < nsel && !ret; i++)
		ret = index_each_commit(t, sel[i].id, o->since, o->until, 1,
					&st.a, count_one, &st);
	if (ret < 0)
		goto out;
	if (st.n)
		qsort(st.v, st.n, sizeof(*st.v), cmp_entry);

	/* without --tag the columns are the tags seen, by name */
	remap = xcalloc(st.ntags + 1, sizeof(*remap));
	sorted = xcalloc(st.ntags + 1, sizeof(*sorted));
	if (st.ntags) {
		memcpy(sorted, st.tags, st.ntags * sizeof(*sorted));
		if (!o->ntags)
			qsort(sorted, st.ntags, sizeof(*sorted), cmp_str);
		for (i = 0; i < st.ntags; i++)
			for (k = 0; k < st.ntags; k++)
				if (sorted[k] == st.tags[i])
					remap[i] = (long)k;
		memcpy(st.tags, sorted, st.ntags * sizeof(*sorted));
	}

	lo = o->since != INT64_MIN ? period_start(o->by, o->since) : st.lo;
	hi = o->until != INT64_MAX ? period_start(o->by, o->until - 1) : st.hi;
	if (o->since == INT64_MIN && !st.ncommits)
		lo = hi;
	if (o->until == INT64_MAX && !st.ncommits)
		hi = lo;
	if (st.ncommits || o->since != INT64_MIN || o->until != INT64_MAX)
		build_table(&st, &tab, lo, hi, remap);

	if (o->fmt == FMT_JSON)
		ret = write_json(&st, &tab, sel, nsel, out);
	else if (o->fmt == FMT_CSV)
		ret = write_csv(&st, &tab, out);
	else
		ret = write_text(&st, &tab, out);
out:
	index_abort(t);
	for (i = 0; i < tab.nrows; i++)
		free(tab.rows[i].tags);
	free(tab.rows);
	for (i = 0; i < st.ntags; i++)
		free(st.tags[i]);
	free(st.tags);
	free(st.v);
	free(remap);
	free(sorted);
	free(sel);
	free(all);
	arena_release(&st.a);
	arena_release(&ra);
	return ret < 0 ? -1 : 0;
}
