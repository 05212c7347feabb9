/*
 * query.c: log, show and repos (see query.h).  The index does the
 * selecting by key range (time, tag, id prefix); the remaining filters
 * are applied here to decoded commits.
 */
#include "config.h"
#include "query.h"
#include "arena.h"
#include "buf.h"
#include "date.h"
#include "esc.h"
#include "index.h"
#include "mirror.h"
#include "msg.h"
#include "rules.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define COLOR_ID "\033[33m"
#define COLOR_TAG "\033[36m"
#define COLOR_OFF "\033[m"

static const char *const format_names[] = { "text", "json", "ndjson", "csv" };

int query_format(const char *s, unsigned allowed)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, format_names[i]) && (allowed & (1u << i)))
			return (int)i;
	return -1;
}

static const char *status_name(unsigned status)
{
	switch (status) {
	case CHANGE_ADDED: return "added";
	case CHANGE_DELETED: return "deleted";
	case CHANGE_RENAMED: return "renamed";
	default: return "modified";
	}
}

static char status_letter(unsigned status)
{
	switch (status) {
	case CHANGE_ADDED: return 'A';
	case CHANGE_DELETED: return 'D';
	case CHANGE_RENAMED: return 'R';
	default: return 'M';
	}
}

static const char *side_name(enum rule_side s)
{
	switch (s) {
	case RULE_SIDE_ADDED: return "added";
	case RULE_SIDE_REMOVED: return "removed";
	case RULE_SIDE_MESSAGE: return "message";
	default: return "path";
	}
}

static void json_str(struct buf *out, const char *s)
{
	if (!s)
		buf_addstr(out, "null");
	else
		esc_json(out, s, strlen(s));
}

static void json_time(struct buf *out, int64_t t)
{
	buf_addch(out, '"');
	date_format_iso(out, t);
	buf_addch(out, '"');
}

/* "a b c" as a JSON array. */
static void json_words(struct buf *out, const char *s)
{
	int first = 1;

	buf_addch(out, '[');
	while (*s) {
		size_t len = strcspn(s, " ");

		if (len) {
			if (!first)
				buf_addch(out, ',');
			esc_json(out, s, len);
			first = 0;
		}
		s += len;
		s += strspn(s, " ");
	}
	buf_addch(out, ']');
}

static int file_has_counts(const struct file_change *f)
{
	return !(f->flags & (FILE_BINARY | FILE_OVERSIZE | FILE_UNREADABLE |
			     FILE_SYMLINK));
}

void query_commit_json(struct buf *out, const char *repo,
		       const struct commit *c)
{
	char hex[OID_HEXSZ + 1];
	uint32_t i;

	oid_to_hex(hex, c->oid);
	buf_addstr(out, "{\"repo\":");
	json_str(out, repo);
	buf_addf(out, ",\"oid\":\"%s\",\"short\":\"%.12s\",\"time\":", hex,
		 hex);
	json_time(out, c->time);
	buf_addstr(out, ",\"author_time\":");
	json_time(out, c->author_time);
	buf_addstr(out, ",\"author\":");
	json_str(out, c->author);
	buf_addstr(out, ",\"email\":");
	json_str(out, c->email);
	buf_addstr(out, ",\"subject\":");
	json_str(out, c->subject);
	buf_addstr(out, ",\"body\":");
	json_str(out, c->body);
	if (c->pr)
		buf_addf(out, ",\"pr\":%u", c->pr);
	else
		buf_addstr(out, ",\"pr\":null");
	buf_addstr(out, ",\"refs\":[");
	if (c->ref)
		json_str(out, c->ref);
	buf_addf(out, "],\"landed\":%s,\"merge\":%s,\"partial\":%s,"
		 "\"diffed\":%s,\"parents\":%u",
		 c->flags & COMMIT_LANDED ? "true" : "false",
		 c->flags & COMMIT_MERGE ? "true" : "false",
		 c->flags & COMMIT_PARTIAL ? "true" : "false",
		 c->flags & COMMIT_DIFFED ? "true" : "false", c->nparents);
	buf_addf(out, ",\"files_total\":%u,\"files\":[", c->nfiles_total);
	for (i = 0; i < c->nfiles; i++) {
		const struct file_change *f = &c->files[i];

		buf_addstr(out, i ? ",{\"path\":" : "{\"path\":");
		json_str(out, f->path);
		if (f->old_path) {
			buf_addstr(out, ",\"old_path\":");
			json_str(out, f->old_path);
		}
		buf_addf(out, ",\"status\":\"%s\"", status_name(f->status));
		if (file_has_counts(f))
			buf_addf(out, ",\"added\":%u,\"removed\":%u", f->added,
				 f->removed);
		else
			buf_addstr(out, ",\"added\":null,\"removed\":null");
		if (f->flags & FILE_BINARY)
			buf_addstr(out, ",\"binary\":true");
		if (f->flags & FILE_OVERSIZE)
			buf_addstr(out, ",\"oversize\":true");
		if (f->flags & FILE_UNREADABLE)
			buf_addstr(out, ",\"unreadable\":true");
		if (f->flags & FILE_SUBMODULE)
			buf_addstr(out, ",\"submodule\":true");
		buf_addch(out, '}');
	}
	buf_addstr(out, "],\"tags\":[");
	for (i = 0; i < c->ntags; i++) {
		if (i)
			buf_addch(out, ',');
		json_str(out, c->tags[i]);
	}
	buf_addstr(out, "],\"matches\":[");
	for (i = 0; i < c->nmatches; i++) {
		const struct match *m = &c->matches[i];

		buf_addstr(out, i ? ",{\"rule\":" : "{\"rule\":");
		json_str(out, m->rule);
		buf_addstr(out, ",\"tags\":");
		json_words(out, m->tags);
		buf_addstr(out, ",\"path\":");
		json_str(out, m->path);
		buf_addf(out, ",\"line\":%u,\"text\":", m->line);
		json_str(out, m->text);
		buf_addf(out, ",\"side\":\"%s\"}", side_name(m->side));
	}
	buf_addstr(out, "]}");
}

/* ---- log --------------------------------------------------------- */

struct log_state {
	const struct log_filter *f;
	enum out_format fmt;
	int color;
	FILE *out;
	struct repo_info *repos;
	size_t nrepos;
	size_t count;
	struct buf line;
	struct arena *a;
};

static const char *repo_name(const struct log_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->nrepos; i++)
		if (st->repos[i].id == id)
			return st->repos[i].name;
	return "?";
}

static int has_tag(const struct commit *c, const char *tag)
{
	uint32_t i;

	for (i = 0; i < c->ntags; i++)
		if (!strcmp(c->tags[i], tag))
			return 1;
	return 0;
}

static int commit_passes(const struct log_state *st, uint32_t repo,
			 const struct commit *c)
{
	const struct log_filter *f = st->f;
	size_t i;

	if (c->time < f->since || c->time >= f->until)
		return 0;
	if (f->landed >= 0 && !!(c->flags & COMMIT_LANDED) != f->landed)
		return 0;
	for (i = 0; i < f->ntags; i++)
		if (!has_tag(c, f->tags[i]))
			return 0;
	if (f->nrepos) {
		const char *name = repo_name(st, repo);

		for (i = 0; i < f->nrepos; i++)
			if (!strcmp(name, f->repos[i]))
				break;
		if (i == f->nrepos)
			return 0;
	}
	if (f->rule) {
		for (i = 0; i < c->nmatches; i++)
			if (!strcmp(c->matches[i].rule, f->rule))
				break;
		if (i == c->nmatches)
			return 0;
	}
	if (f->author && !strcasestr(c->author, f->author) &&
	    !strcasestr(c->email, f->author))
		return 0;
	if (f->path) {
		for (i = 0; i < c->nfiles; i++) {
			const struct file_change *fc = &c->files[i];

			if (rules_pattern_match(f->rm, f->path, fc->path,
						strlen(fc->path)) == 1 ||
			    (fc->old_path &&
			     rules_pattern_match(f->rm, f->path, fc->old_path,
						 strlen(fc->old_path)) == 1))
				break;
		}
		if (i == c->nfiles)
			return 0;
	}
	return 1;
}

static void text_line(struct log_state *st, const char *repo,
		      const struct commit *c)
{
	struct buf *b = &st->line;
	char hex[OID_HEXSZ + 1];
	uint32_t i;

	oid_to_hex(hex, c->oid);
	buf_addf(b, "%s%.12s%s ", st->color ? COLOR_ID : "", hex,
		 st->color ? COLOR_OFF : "");
	date_format_short(b, c->time);
	buf_addch(b, ' ');
	esc_text(b, repo, strlen(repo));
	buf_addstr(b, c->flags & COMMIT_LANDED ? "  " : " ~");
	esc_text(b, c->subject, strlen(c->subject));
	if (c->ntags) {
		buf_addf(b, "  %s[", st->color ? COLOR_TAG : "");
		for (i = 0; i < c->ntags; i++) {
			if (i)
				buf_addch(b, ' ');
			esc_text(b, c->tags[i], strlen(c->tags[i]));
		}
		buf_addf(b, "]%s", st->color ? COLOR_OFF : "");
	}
	buf_addch(b, '\n');
}

static void csv_field(struct buf *b, const char *s, int last)
{
	esc_csv(b, s, strlen(s));
	buf_addstr(b, last ? "\r\n" : ",");
}

static void csv_line(struct log_state *st, const char *repo,
		     const struct commit *c)
{
	struct buf *b = &st->line, tmp = BUF_INIT;
	char hex[OID_HEXSZ + 1];
	uint64_t added = 0, removed = 0;
	uint32_t i;

	oid_to_hex(hex, c->oid);
	csv_field(b, repo, 0);
	csv_field(b, hex, 0);
	date_format_iso(&tmp, c->time);
	csv_field(b, tmp.ptr, 0);
	csv_field(b, c->author, 0);
	csv_field(b, c->email, 0);
	csv_field(b, c->subject, 0);
	buf_reset(&tmp);
	if (c->pr)
		buf_addf(&tmp, "%u", c->pr);
	csv_field(b, tmp.ptr, 0);
	csv_field(b, c->flags & COMMIT_LANDED ? "true" : "false", 0);
	buf_reset(&tmp);
	for (i = 0; i < c->ntags; i++)
		buf_addf(&tmp, "%s%s", i ? " " : "", c->tags[i]);
	csv_field(b, tmp.ptr, 0);
	for (i = 0; i < c->nfiles; i++) {
		added += c->files[i].added;
		removed += c->files[i].removed;
	}
	buf_reset(&tmp);
	buf_addf(&tmp, "%u", c->nfiles_total);
	csv_field(b, tmp.ptr, 0);
	buf_reset(&tmp);
	buf_addf(&tmp, "%llu", (unsigned long long)added);
	csv_field(b, tmp.ptr, 0);
	buf_reset(&tmp);
	buf_addf(&tmp, "%llu", (unsigned long long)removed);
	csv_field(b, tmp.ptr, 1);
	buf_release(&tmp);
}

static int log_one(uint32_t repo, const struct commit *c, void *payload)
{
	struct log_state *st = payload;
	const char *name;

	if (!commit_passes(st, repo, c))
		goto done;
	name = repo_name(st, repo);
	buf_reset(&st->line);
	switch (st->fmt) {
	case FMT_TEXT:
		text_line(st, name, c);
		break;
	case FMT_JSON:
		buf_addstr(&st->line, st->count ? ",\n" : "[\n");
		query_commit_json(&st->line, name, c);
		break;
	case FMT_NDJSON:
		query_commit_json(&st->line, name, c);
		buf_addch(&st->line, '\n');
		break;
	case FMT_CSV:
		csv_line(st, name, c);
		break;
	}
	fwrite(st->line.ptr, 1, st->line.len, st->out);
	st->count++;
done:
	arena_reset(st->a);
	return ferror(st->out) ? MS_STOP : 0;
}

struct key {
	int64_t time;
	uint32_t repo;
	unsigned char oid[OID_RAWSZ];
};

struct keys {
	struct key *v;
	size_t n, alloc;
};

static int add_key(uint32_t repo, int64_t time, const unsigned char *oid,
		   void *payload)
{
	struct keys *ks = payload;

	ALLOC_GROW(ks->v, ks->n + 1, ks->alloc);
	ks->v[ks->n].time = time;
	ks->v[ks->n].repo = repo;
	memcpy(ks->v[ks->n].oid, oid, OID_RAWSZ);
	ks->n++;
	return 0;
}

/* Newest first over every repository; ties in a stable order. */
static int cmp_key_desc(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? 1 : -1;
	if (x->repo != y->repo)
		return x->repo < y->repo ? -1 : 1;
	return memcmp(x->oid, y->oid, OID_RAWSZ);
}

static int wanted_repo(const struct log_state *st, const char *name)
{
	size_t k;

	if (!st->f->nrepos)
		return 1;
	for (k = 0; k < st->f->nrepos; k++)
		if (!strcmp(name, st->f->repos[k]))
			return 1;
	return 0;
}

/* Collects the keys of the window from the time index (no decoding),
 * sorts them across repositories, then decodes and filters each. */
static int log_by_time(struct index_txn *t, struct log_state *st)
{
	struct keys ks = { NULL, 0, 0 };
	size_t i;
	int ret = 0;

	for (i = 0; i < st->nrepos && !ret; i++)
		if (wanted_repo(st, st->repos[i].name))
			ret = index_each_key(t, st->repos[i].id, st->f->since,
					     st->f->until, add_key, &ks);
	if (!ret && ks.n)
		qsort(ks.v, ks.n, sizeof(*ks.v), cmp_key_desc);
	for (i = 0; i < ks.n && !ret; i++) {
		struct commit c;

		ret = index_commit_get(t, ks.v[i].repo, ks.v[i].oid, st->a, &c);
		if (ret == MS_NOTFOUND) {
			ret = 0;
			continue;
		}
		if (!ret)
			ret = log_one(ks.v[i].repo, &c, st);
	}
	free(ks.v);
	return ret == MS_STOP ? 0 : ret;
}

int query_log(struct index *idx, const struct log_filter *f,
	      enum out_format fmt, int color, FILE *out, size_t *count)
{
	struct arena ra = ARENA_INIT, a = ARENA_INIT;
	struct log_state st;
	struct index_txn *t = NULL;
	int ret;

	memset(&st, 0, sizeof(st));
	st.f = f;
	st.fmt = fmt;
	st.color = color && fmt == FMT_TEXT;
	st.out = out;
	st.a = &a;
	buf_init(&st.line, 0);
	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &ra, &st.repos, &st.nrepos)) < 0)
		goto out;
	if ((ret = index_repos_check(st.repos, st.nrepos, f->repos,
				     f->nrepos)) < 0)
		goto out;
	if (fmt == FMT_CSV)
		fputs("repo,oid,time,author,email,subject,pr,landed,tags,"
		      "files,added,removed\r\n", out);
	if (f->ntags) {
		ret = index_each_tagged(t, f->tags[0], f->since, f->until, &a,
					log_one, &st);
	} else {
		ret = log_by_time(t, &st);
	}
	if (fmt == FMT_JSON)
		fputs(st.count ? "\n]\n" : "[]\n", out);
out:
	*count = st.count;
	index_abort(t);
	free(st.repos);
	buf_release(&st.line);
	arena_release(&a);
	arena_release(&ra);
	return ret < 0 ? -1 : 0;
}

/* ---- show -------------------------------------------------------- */

struct show_state {
	struct repo_info *repos;
	size_t nrepos;
	uint32_t found_repo;
	struct commit found;
	size_t nfound;
	struct buf candidates;
	struct arena *keep;
};

static const char *show_repo_name(const struct show_state *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->nrepos; i++)
		if (st->repos[i].id == id)
			return st->repos[i].name;
	return "?";
}

static int show_collect(uint32_t repo, const struct commit *c, void *payload)
{
	struct show_state *st = payload;
	char hex[OID_HEXSZ + 1];

	oid_to_hex(hex, c->oid);
	if (st->nfound < 10)
		buf_addf(&st->candidates, "\n  %s %s", hex,
			 show_repo_name(st, repo));
	if (!st->nfound) {
		st->found = *c;
		st->found_repo = repo;
	}
	st->nfound++;
	return 0;
}

static void show_text(struct buf *b, const char *repo, const struct commit *c,
		      int color)
{
	char hex[OID_HEXSZ + 1];
	uint32_t i;
	const char *p;

	oid_to_hex(hex, c->oid);
	buf_addf(b, "%scommit %s%s\n", color ? COLOR_ID : "", hex,
		 color ? COLOR_OFF : "");
	buf_addstr(b, "Repo:    ");
	esc_text(b, repo, strlen(repo));
	buf_addstr(b, "\nAuthor:  ");
	esc_text(b, c->author, strlen(c->author));
	buf_addstr(b, " <");
	esc_text(b, c->email, strlen(c->email));
	buf_addstr(b, ">\nDate:    ");
	date_format_iso(b, c->time);
	if (c->author_time != c->time) {
		buf_addstr(b, " (authored ");
		date_format_iso(b, c->author_time);
		buf_addch(b, ')');
	}
	buf_addstr(b, "\nState:   ");
	buf_addstr(b, c->flags & COMMIT_LANDED ? "landed" : "proposed");
	if (c->ref) {
		buf_addstr(b, " (first reached from ");
		esc_text(b, c->ref, strlen(c->ref));
		buf_addch(b, ')');
	}
	if (c->flags & COMMIT_MERGE)
		buf_addf(b, ", merge of %u parents%s", c->nparents,
			 c->flags & COMMIT_DIFFED ? "" : " (diff not scanned)");
	if (c->flags & COMMIT_PARTIAL)
		buf_addstr(b, ", partly unreadable");
	if (c->pr)
		buf_addf(b, "\nPR:      #%u", c->pr);
	buf_addstr(b, "\nTags:    ");
	for (i = 0; i < c->ntags; i++)
		buf_addf(b, "%s%s%s%s", i ? " " : "", color ? COLOR_TAG : "",
			 c->tags[i], color ? COLOR_OFF : "");
	if (!c->ntags)
		buf_addstr(b, "(none)");
	buf_addstr(b, "\n\n    ");
	esc_text(b, c->subject, strlen(c->subject));
	buf_addch(b, '\n');
	if (*c->body) {
		buf_addstr(b, "\n");
		for (p = c->body; *p;) {
			size_t len = strcspn(p, "\n");

			buf_addstr(b, len ? "    " : "");
			esc_text(b, p, len);
			buf_addch(b, '\n');
			p += len;
			if (*p)
				p++;
		}
	}
	buf_addf(b, "\nFiles (%u):\n", c->nfiles_total);
	for (i = 0; i < c->nfiles; i++) {
		const struct file_change *f = &c->files[i];

		buf_addf(b, "  %c  ", status_letter(f->status));
		if (f->old_path) {
			esc_text(b, f->old_path, strlen(f->old_path));
			buf_addstr(b, " -> ");
		}
		esc_text(b, f->path, strlen(f->path));
		if (file_has_counts(f))
			buf_addf(b, "  +%u -%u%s", f->added, f->removed,
				 f->flags & FILE_SUBMODULE ? "  (submodule)"
							   : "");
		else if (f->flags & FILE_BINARY)
			buf_addstr(b, "  (binary)");
		else if (f->flags & FILE_OVERSIZE)
			buf_addstr(b, "  (too large to scan)");
		else if (f->flags & FILE_UNREADABLE)
			buf_addstr(b, "  (unreadable: object missing)");
		else if (f->flags & FILE_SUBMODULE)
			buf_addstr(b, "  (submodule)");
		else if (f->flags & FILE_SYMLINK)
			buf_addstr(b, "  (symlink)");
		buf_addch(b, '\n');
	}
	if (c->nfiles < c->nfiles_total)
		buf_addf(b, "  ... and %u more\n", c->nfiles_total - c->nfiles);
	buf_addf(b, "\nMatches (%u):\n", c->nmatches);
	for (i = 0; i < c->nmatches; i++) {
		const struct match *m = &c->matches[i];

		buf_addf(b, "  %s%s%s  rule %s  ", color ? COLOR_TAG : "",
			 m->tags, color ? COLOR_OFF : "", m->rule);
		if (m->path) {
			esc_text(b, m->path, strlen(m->path));
			if (m->side != RULE_SIDE_PATH)
				buf_addf(b, ":%u", m->line);
		} else {
			buf_addf(b, "message:%u", m->line);
		}
		buf_addf(b, " (%s)\n", side_name(m->side));
		if (m->side != RULE_SIDE_PATH) {
			buf_addstr(b, m->side == RULE_SIDE_ADDED ? "    + " :
				   m->side == RULE_SIDE_REMOVED ? "    - " :
				   "    ");
			esc_text(b, m->text, strlen(m->text));
			buf_addch(b, '\n');
		}
	}
}

int query_show(struct index *idx, const char *repo, const char *prefix,
	       enum out_format fmt, int color, FILE *out)
{
	struct arena a = ARENA_INIT;
	struct show_state st;
	struct index_txn *t = NULL;
	struct buf b = BUF_INIT, p = BUF_INIT;
	uint32_t repo_id = 0;
	int ret;

	memset(&st, 0, sizeof(st));
	buf_init(&st.candidates, 0);
	esc_text(&p, prefix, strlen(prefix));
	if (strlen(prefix) < 4 || strspn(prefix, "0123456789abcdefABCDEF") !=
	    strlen(prefix) || strlen(prefix) > OID_HEXSZ) {
		ret = error("'%s' is not a commit id (4 to 40 hex digits)",
			    p.ptr);
		goto out;
	}
	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &a, &st.repos, &st.nrepos)) < 0)
		goto out;
	if (repo) {
		if ((ret = index_repos_check(st.repos, st.nrepos, &repo, 1)) < 0)
			goto out;
		repo_id = index_repo_find(st.repos, st.nrepos, repo)->id;
	}
	if ((ret = index_each_prefix(t, repo_id, prefix, &a, show_collect,
				     &st)) < 0)
		goto out;
	if (!st.nfound) {
		ret = error("no commit '%s' in the index", p.ptr);
		ret = 1;
		goto out;
	}
	if (st.nfound > 1) {
		ret = error("commit id '%s' is ambiguous (%zu commits; give "
			    "more digits or --repo):%s", p.ptr, st.nfound,
			    st.candidates.ptr);
		goto out;
	}
	if (fmt == FMT_JSON) {
		query_commit_json(&b, show_repo_name(&st, st.found_repo),
				  &st.found);
		buf_addch(&b, '\n');
	} else {
		show_text(&b, show_repo_name(&st, st.found_repo), &st.found,
			  color);
	}
	fwrite(b.ptr, 1, b.len, out);
out:
	index_abort(t);
	free(st.repos);
	buf_release(&st.candidates);
	buf_release(&b);
	buf_release(&p);
	arena_release(&a);
	return ret;
}

/* ---- repos ------------------------------------------------------- */

static const unsigned char *default_tip(const struct repo_info *r,
					const struct ref_tip *tips, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tips[i].name, r->default_branch))
			return tips[i].oid;
	return NULL;
}

int query_repos(struct index *idx, enum out_format fmt, FILE *out)
{
	struct arena a = ARENA_INIT;
	struct index_txn *t = NULL;
	struct repo_info *repos = NULL;
	struct buf b = BUF_INIT;
	size_t n = 0, i;
	int ret;

	if ((ret = index_begin(idx, 0, &t)) < 0)
		goto out;
	if ((ret = index_repo_list(t, &a, &repos, &n)) < 0)
		goto out;
	if (fmt == FMT_JSON)
		buf_addstr(&b, "[");
	else
		buf_addstr(&b, "NAME\tCOMMITS\tLANDED\tPARTIAL\tREFS\t"
			   "DEFAULT TIP\tLAST SCAN\tPATH\n");
	for (i = 0; i < n; i++) {
		const struct repo_info *r = &repos[i];
		struct ref_tip *tips = NULL;
		size_t ntips = 0;
		const unsigned char *tip;
		char hex[OID_HEXSZ + 1] = "";

		if ((ret = index_refs_get(t, r->id, &a, &tips, &ntips)) < 0)
			goto out;
		tip = default_tip(r, tips, ntips);
		if (tip)
			oid_to_hex(hex, tip);
		if (fmt == FMT_JSON) {
			buf_addstr(&b, i ? ",\n{\"name\":" : "\n{\"name\":");
			json_str(&b, r->name);
			buf_addstr(&b, ",\"path\":");
			json_str(&b, r->path);
			buf_addstr(&b, ",\"default_branch\":");
			json_str(&b, *r->default_branch ? r->default_branch
							: NULL);
			buf_addstr(&b, ",\"default_tip\":");
			json_str(&b, tip ? hex : NULL);
			buf_addf(&b, ",\"refs\":%zu,\"commits\":%llu,"
				 "\"landed\":%llu,\"partial\":%llu,"
				 "\"last_scan\":", ntips,
				 (unsigned long long)r->ncommits,
				 (unsigned long long)r->nlanded,
				 (unsigned long long)r->npartial);
			if (r->last_scan)
				json_time(&b, r->last_scan);
			else
				buf_addstr(&b, "null");
			buf_addch(&b, '}');
		} else {
			esc_text(&b, r->name, strlen(r->name));
			buf_addf(&b, "\t%llu\t%llu\t%llu\t%zu\t%.12s\t",
				 (unsigned long long)r->ncommits,
				 (unsigned long long)r->nlanded,
				 (unsigned long long)r->npartial, ntips,
				 tip ? hex : "-");
			if (r->last_scan)
				date_format_iso(&b, r->last_scan);
			else
				buf_addstr(&b, "never");
			buf_addch(&b, '\t');
			esc_text(&b, r->path, strlen(r->path));
			buf_addch(&b, '\n');
		}
		free(tips);
	}
	if (fmt == FMT_JSON)
		buf_addstr(&b, n ? "\n]\n" : "]\n");
	fwrite(b.ptr, 1, b.len, out);
out:
	index_abort(t);
	free(repos);
	buf_release(&b);
	arena_release(&a);
	return ret < 0 ? -1 : 0;
}
