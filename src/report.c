/*
 * report.c: reads a report's window from the index (see report.h) and
 * keeps what the formats share.  The formats themselves live in
 * report_{md,json,csv,sarif,html}.c; cmd.c parses the options and opens
 * the output (ofile.h).
 *
 * Commits are decoded into a scratch arena, filtered, and only the kept
 * ones are copied into the report's arena, so a --tag report over a long
 * window holds the commits it lists, not every commit it looked at.
 */
#include "config.h"
#include "report.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "index.h"
#include "mirror.h"
#include "msg.h"
#include "prs.h"

#include <stdlib.h>
#include <string.h>

#define DAY 86400

static const struct report_format *const formats[] = {
	&report_md, &report_json, &report_ndjson, &report_csv, &report_sarif,
	&report_html,
};

const struct report_format *report_format_find(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(s, formats[i]->name))
			return formats[i];
	return NULL;
}

const char *report_format_names(void)
{
	return "md, json, ndjson, csv, sarif, html";
}

/* ---- reading the window ------------------------------------------ */

struct commit_vec {
	struct commit *v;
	size_t n, alloc;
};

struct load_state {
	struct report *r;
	const struct report_opts *o;
	struct repo_info *infos;	/* the selected repos, as r->repos */
	struct commit_vec *vecs;	/* one per r->repos entry */
	struct arena scratch;
};

static const char *dup_str(struct arena *a, const char *s)
{
	return s ? arena_strdup(a, s) : NULL;
}

/* A deep copy of s (decoded in a scratch arena) into a. */
static void copy_commit(struct arena *a, struct commit *d,
			const struct commit *s)
{
	uint32_t i;

	*d = *s;
	d->author = dup_str(a, s->author);
	d->email = dup_str(a, s->email);
	d->subject = dup_str(a, s->subject);
	d->body = dup_str(a, s->body);
	d->ref = dup_str(a, s->ref);
	d->files = s->nfiles ? arena_calloc(a, s->nfiles, sizeof(*d->files))
			     : NULL;
	for (i = 0; i < s->nfiles; i++) {
		d->files[i] = s->files[i];
		d->files[i].path = dup_str(a, s->files[i].path);
		d->files[i].old_path = dup_str(a, s->files[i].old_path);
	}
	d->matches = s->nmatches ?
		arena_calloc(a, s->nmatches, sizeof(*d->matches)) : NULL;
	for (i = 0; i < s->nmatches; i++) {
		d->matches[i] = s->matches[i];
		d->matches[i].rule = dup_str(a, s->matches[i].rule);
		d->matches[i].tags = dup_str(a, s->matches[i].tags);
		d->matches[i].path = dup_str(a, s->matches[i].path);
		d->matches[i].text = dup_str(a, s->matches[i].text);
	}
	d->tags = s->ntags ? arena_calloc(a, s->ntags, sizeof(*d->tags))
			   : NULL;
	for (i = 0; i < s->ntags; i++)
		d->tags[i] = dup_str(a, s->tags[i]);
}

static int wanted_tags(const struct report_opts *o, const struct commit *c)
{
	size_t i;
	uint32_t k;

	if (!o->ntags)
		return 1;
	for (i = 0; i < o->ntags; i++)
		for (k = 0; k < c->ntags; k++)
			if (!strcmp(o->tags[i], c->tags[k]))
				return 1;
	return 0;
}

/* Position of repo id in r->repos, or -1 when it was not selected. */
static long repo_pos(const struct load_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->r->nrepos; i++)
		if (st->infos[i].id == id)
			return (long)i;
	return -1;
}

static int collect(uint32_t repo, const struct commit *c, void *payload)
{
	struct load_state *st = payload;
	long pos = repo_pos(st, repo);
	struct commit_vec *v;

	/* index_each_tagged() answers for every repo; the range is exact,
	 * but check it anyway: a report must not list what it did not ask */
	if (pos >= 0 && c->time >= st->r->since && c->time < st->r->until &&
	    wanted_tags(st->o, c)) {
		v = &st->vecs[pos];
		ALLOC_GROW(v->v, v->n + 1, v->alloc);
		copy_commit(&st->r->arena, &v->v[v->n++], c);
	}
	arena_reset(&st->scratch);
	return 0;
}

/* Newest first; ties by id, so the order never depends on the index. */
static int cmp_commit_desc(const void *a, const void *b)
{
	const struct commit *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	return memcmp(x->oid, y->oid, OID_RAWSZ);
}

/* Highest PR first, commits of no PR last; in a PR, oldest first. */
static int cmp_proposed(const void *a, const void *b)
{
	const struct commit *x = *(const struct commit *const *)a;
	const struct commit *y = *(const struct commit *const *)b;

	if (x->pr != y->pr) {
		if (!x->pr || !y->pr)
			return x->pr ? -1 : 1;
		return x->pr < y->pr ? 1 : -1;
	}
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return memcmp(x->oid, y->oid, OID_RAWSZ);
}

static void group_repo(struct report *r, struct report_repo *rr)
{
	const struct commit **proposed;
	size_t i, np = 0, k;

	rr->landed = arena_calloc(&r->arena, rr->ncommits + 1,
				  sizeof(*rr->landed));
	proposed = arena_calloc(&r->arena, rr->ncommits + 1,
				sizeof(*proposed));
	for (i = 0; i < rr->ncommits; i++) {
		const struct commit *c = &rr->commits[i];

		if (c->flags & COMMIT_LANDED)
			rr->landed[rr->nlanded++] = c;
		else
			proposed[np++] = c;
	}
	rr->nproposed = np;
	if (!np)
		return;
	qsort(proposed, np, sizeof(*proposed), cmp_proposed);
	rr->prs = arena_calloc(&r->arena, np, sizeof(*rr->prs));
	for (i = 0; i < np; i = k) {
		struct report_pr *pr = &rr->prs[rr->nprs++];
		size_t j;

		for (k = i; k < np && proposed[k]->pr == proposed[i]->pr; k++)
			;
		pr->number = proposed[i]->pr;
		pr->commits = proposed + i;
		pr->ncommits = k - i;
		for (j = 0; pr->number && j < rr->nlanded; j++)
			if (rr->landed[j]->pr == pr->number) {
				pr->landed_by = rr->landed[j];
				break;
			}
	}
	r->nprs += rr->nprs - !rr->prs[rr->nprs - 1].number;
}

/* The title and state of each pull request of rr, where the index keeps
 * pull requests (prs.h); an index without them leaves both unknown. */
static int pr_records(struct index_txn *t, struct report *r,
		      struct report_repo *rr, uint32_t repo,
		      struct arena *scratch)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < rr->nprs && !ret; i++) {
		struct report_pr *p = &rr->prs[i];
		struct pr rec;
		int rc;

		p->state = -1;
		if (!p->number)
			continue;
		rc = index_pr_get(t, repo, p->number, scratch, &rec);
		if (rc == MS_NOTFOUND)
			continue;
		if (rc < 0) {
			ret = -1;
			break;
		}
		p->state = (int)rec.state;
		p->title = rec.title && *rec.title ?
			arena_strdup(&r->arena, rec.title) : NULL;
		arena_reset(scratch);
	}
	return ret;
}

static int cmp_tag(const void *a, const void *b)
{
	const struct report_tag *x = a, *y = b;

	if (x->landed != y->landed)
		return x->landed < y->landed ? 1 : -1;
	if (x->proposed != y->proposed)
		return x->proposed < y->proposed ? 1 : -1;
	return strcmp(x->tag, y->tag);
}

static void count_tags(struct report *r)
{
	struct report_tag *v = NULL;
	size_t n = 0, alloc = 0, i, j, k;
	uint32_t t;

	for (i = 0; i < r->nrepos; i++) {
		const struct report_repo *rr = &r->repos[i];

		for (j = 0; j < rr->ncommits; j++) {
			const struct commit *c = &rr->commits[j];
			int landed = !!(c->flags & COMMIT_LANDED);

			if (landed && c->ntags)
				r->ntagged++;
			for (t = 0; t < c->ntags; t++) {
				for (k = 0; k < n; k++)
					if (!strcmp(v[k].tag, c->tags[t]))
						break;
				if (k == n) {
					ALLOC_GROW(v, n + 1, alloc);
					v[n].tag = c->tags[t];
					v[n].landed = v[n].proposed = 0;
					n++;
				}
				if (landed)
					v[k].landed++;
				else
					v[k].proposed++;
			}
		}
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_tag);
	r->tags = n ? arena_calloc(&r->arena, n, sizeof(*r->tags)) : NULL;
	if (n)
		memcpy(r->tags, v, n * sizeof(*v));
	r->ntags = n;
	free(v);
}

/* Keeps the repos named by --repo (each must exist), in name order. */
static int select_repos(struct load_state *st, struct repo_info *all,
			size_t nall)
{
	const struct report_opts *o = st->o;
	size_t i, k, n = 0;

	st->infos = xcalloc(nall + 1, sizeof(*st->infos));
	if (index_repos_check(all, nall, o->repos, o->nrepos) < 0)
		return -1;
	for (i = 0; i < nall; i++) {
		int keep = !o->nrepos;

		for (k = 0; k < o->nrepos && !keep; k++)
			keep = !strcmp(all[i].name, o->repos[k]);
		if (keep)
			st->infos[n++] = all[i];
	}
	st->r->nrepos = n;
	return 0;
}

int report_load(struct report *r, struct index *idx,
		const struct report_opts *o)
{
	struct load_state st;
	struct index_txn *t = NULL;
	struct repo_info *all = NULL;
	size_t nall = 0, i;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	r->generated = date_now();
	r->since = o->since;
	r->until = o->until;
	r->lang = o->lang;
	r->filter_tags = o->tags;
	r->nfilter_tags = o->ntags;
	st.r = r;
	st.o = o;
	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &r->arena, &all, &nall)) < 0)
		goto out;
	if ((ret = select_repos(&st, all, nall)) < 0)
		goto out;
	st.vecs = xcalloc(r->nrepos + 1, sizeof(*st.vecs));
	if (o->ntags) {
		/* the tag index holds the tagged commits only: a long
		 * window of a big repository costs what it lists */
		for (i = 0; i < o->ntags && !ret; i++)
			ret = index_each_tagged(t, o->tags[i], o->since,
						o->until, &st.scratch, collect,
						&st);
	} else {
		for (i = 0; i < r->nrepos && !ret; i++)
			ret = index_each_commit(t, st.infos[i].id, o->since,
						o->until, 0, &st.scratch,
						collect, &st);
	}
	if (ret < 0)
		goto out;
	r->repos = arena_calloc(&r->arena, r->nrepos + 1, sizeof(*r->repos));
	for (i = 0; i < r->nrepos; i++) {
		struct report_repo *rr = &r->repos[i];
		struct commit_vec *v = &st.vecs[i];
		size_t k, n = 0;

		rr->name = st.infos[i].name;
		rr->path = st.infos[i].path;
		if (v->n)
			qsort(v->v, v->n, sizeof(*v->v), cmp_commit_desc);
		/* two --tag of one commit found it twice */
		for (k = 0; k < v->n; k++)
			if (!n || memcmp(v->v[k].oid, v->v[n - 1].oid,
					 OID_RAWSZ))
				v->v[n++] = v->v[k];
		rr->commits = arena_calloc(&r->arena, n + 1,
					   sizeof(*rr->commits));
		if (n)
			memcpy(rr->commits, v->v, n * sizeof(*v->v));
		rr->ncommits = n;
		group_repo(r, rr);
		if ((ret = pr_records(t, r, rr, st.infos[i].id,
				      &st.scratch)) < 0)
			goto out;
		r->nlanded += rr->nlanded;
		r->nproposed += rr->nproposed;
		if (rr->nlanded)
			r->nchanged++;
	}
	count_tags(r);
out:
	index_abort(t);
	if (st.vecs)
		for (i = 0; i < r->nrepos; i++)
			free(st.vecs[i].v);
	free(st.vecs);
	free(st.infos);
	free(all);
	arena_release(&st.scratch);
	if (ret < 0)
		r->nrepos = 0;
	return ret < 0 ? -1 : 0;
}

void report_release(struct report *r)
{
	arena_release(&r->arena);
	memset(r, 0, sizeof(*r));
}

/* ---- helpers for the formats --------------------------------------- */

int report_flush(struct buf *b, FILE *out)
{
	if (b->len)
		fwrite(b->ptr, 1, b->len, out);
	buf_reset(b);
	return ferror(out) ? -1 : 0;
}

int report_is_one_day(const struct report *r)
{
	return r->until - r->since == DAY &&
	       date_day_start(r->since) == r->since;
}

void report_window(struct buf *out, const struct report *r)
{
	if (report_is_one_day(r)) {
		date_format_day(out, r->since);
	} else if (date_day_start(r->since) == r->since &&
		   date_day_start(r->until) == r->until) {
		date_format_day(out, r->since);
		buf_addstr(out, " \xe2\x80\x93 ");	/* en dash */
		date_format_day(out, r->until - 1);
	} else {
		date_format_iso(out, r->since);
		buf_addstr(out, " \xe2\x80\x93 ");
		date_format_iso(out, r->until);
	}
}

int report_has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);
	const char *p = list;

	while (*p) {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (len == wlen && !memcmp(p, word, len))
			return 1;
		p += len;
	}
	return 0;
}

/* Lower is better evidence: a line of code says the most. */
static int side_rank(enum rule_side s)
{
	switch (s) {
	case RULE_SIDE_ADDED: return 0;
	case RULE_SIDE_REMOVED: return 1;
	case RULE_SIDE_MESSAGE: return 2;
	default: return 3;
	}
}

void report_evidence(const struct commit *c, const struct match **ev)
{
	uint32_t t, i;

	for (t = 0; t < c->ntags; t++) {
		ev[t] = NULL;
		for (i = 0; i < c->nmatches; i++) {
			const struct match *m = &c->matches[i];

			if (!report_has_word(m->tags, c->tags[t]))
				continue;
			if (!ev[t] ||
			    side_rank(m->side) < side_rank(ev[t]->side))
				ev[t] = m;
		}
	}
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int report_same_evidence(const struct match *a, const struct match *b)
{
	if (a == b)
		return 1;
	if (!a || !b)
		return 0;
	return a->side == b->side && a->line == b->line &&
	       same_str(a->path, b->path) && same_str(a->text, b->text);
}

void report_snippet(const char *text, size_t max, const char **start,
		    size_t *len, int *cut)
{
	size_t n, k;

	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' ||
		     text[n - 1] == '\r' || text[n - 1] == '\n'))
		n--;
	*start = text;
	*cut = 0;
	if (n > max) {
		/* back to the start of a UTF-8 sequence (at most 3 bytes:
		 * an invalid run is cut anywhere, it is shown as bytes) */
		for (n = max, k = 0;
		     k < 3 && n && ((unsigned char)text[n] & 0xC0) == 0x80;
		     k++)
			n--;
		*cut = 1;
	}
	*len = n;
}

int report_file_tagged(const struct commit *c, const struct file_change *f)
{
	uint32_t i;

	for (i = 0; i < c->nmatches; i++) {
		const char *p = c->matches[i].path;

		if (p && (!strcmp(p, f->path) ||
			  (f->old_path && !strcmp(p, f->old_path))))
			return 1;
	}
	return 0;
}

size_t report_files_shown(const struct commit *c, size_t max, size_t *idx)
{
	size_t n = 0, i;

	if (c->nfiles_total <= max && c->nfiles <= max) {
		for (i = 0; i < c->nfiles; i++)
			idx[n++] = i;
		return n;
	}
	for (i = 0; i < c->nfiles && n < max; i++)
		if (report_file_tagged(c, &c->files[i]))
			idx[n++] = i;
	for (i = 0; i < c->nfiles && n < max; i++)
		if (!report_file_tagged(c, &c->files[i]))
			idx[n++] = i;
	return n;
}

void report_line_counts(const struct commit *c, uint64_t *added,
			uint64_t *removed)
{
	uint32_t i;

	*added = *removed = 0;
	for (i = 0; i < c->nfiles; i++) {
		*added += c->files[i].added;
		*removed += c->files[i].removed;
	}
}

const char *report_status_name(unsigned status)
{
	switch (status) {
	case CHANGE_ADDED: return "added";
	case CHANGE_DELETED: return "deleted";
	case CHANGE_RENAMED: return "renamed";
	default: return "modified";
	}
}

const char *report_side_name(enum rule_side side)
{
	switch (side) {
	case RULE_SIDE_ADDED: return "added";
	case RULE_SIDE_REMOVED: return "removed";
	case RULE_SIDE_MESSAGE: return "message";
	default: return "path";
	}
}

void report_file_notes(struct buf *b, const struct report *r,
		       const struct file_change *f, const char *minus)
{
	int zh = r->lang == REPORT_ZH;

	if (f->status == CHANGE_ADDED)
		buf_addstr(b, zh ? "（新增）" : " (new)");
	else if (f->status == CHANGE_DELETED)
		buf_addstr(b, zh ? "（删除）" : " (deleted)");
	if (f->flags & FILE_BINARY)
		buf_addstr(b, zh ? "（二进制）" : " (binary)");
	else if (f->flags & FILE_OVERSIZE)
		buf_addstr(b, zh ? "（过大，未扫描）" : " (too large to scan)");
	else if (f->flags & FILE_UNREADABLE)
		buf_addstr(b, zh ? "（无法读取）" : " (unreadable)");
	else if (f->flags & FILE_SUBMODULE)
		buf_addstr(b, zh ? "（子模块）" : " (submodule)");
	else if (f->flags & FILE_SYMLINK)
		buf_addstr(b, zh ? "（符号链接）" : " (symlink)");
	else
		buf_addf(b, " +%u %s%u", f->added, minus, f->removed);
}

void report_pr_heading(struct buf *b, const struct report *r,
		       const struct report_pr *pr,
		       void (*subject)(struct buf *b, const struct report *r,
				       const char *s))
{
	const char *state = report_pr_state(r, pr->state);
	int zh = r->lang == REPORT_ZH;

	if (!pr->number) {
		buf_addstr(b, zh ? "不属于拉取请求的未合入提交" :
			   "Proposed commits of no pull request");
		return;
	}
	buf_addf(b, "PR #%u", pr->number);
	if (pr->title) {
		buf_addstr(b, zh ? "：" : ": ");
		subject(b, r, pr->title);
	}
	buf_addstr(b, zh ? "（" : " (");
	if (state)
		buf_addf(b, zh ? "%s，" : "%s, ", state);
	buf_addf(b, zh ? "%zu 个提交）" : pr->ncommits == 1 ? "%zu commit)" :
		 "%zu commits)", pr->ncommits);
}

void report_hex(char *hex, const unsigned char *oid)
{
	oid_to_hex(hex, oid);
}

const char *report_pr_state(const struct report *r, int state)
{
	static const char *const en[] = { "open", "merged", "closed" };
	static const char *const zh[] = { "开放中", "已合并", "已关闭" };

	if (state < PR_OPEN || state > PR_CLOSED)
		return NULL;
	return r->lang == REPORT_ZH ? zh[state] : en[state];
}
