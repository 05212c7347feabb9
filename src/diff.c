/*
 * diff.c: first-parent diffs (see diff.h).  This file decides which files
 * changed and what their lines are; which rules apply to them is the
 * scanner's business.
 */
#include "config.h"
#include "diff.h"
#include "arena.h"
#include "buf.h"
#include "esc.h"
#include "mirror.h"
#include "msg.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>

/* git's binary heuristic looks at this many leading bytes for a NUL. */
#define BINARY_PROBE 8000

struct change {
	const char *path;
	const char *old_path;
	unsigned status;
	git_oid old_oid, new_oid;
	unsigned old_mode, new_mode;
};


static void add_change(struct diff_changes *cs, const char *path,
		       unsigned status, const git_tree_entry *old,
		       const git_tree_entry *new)
{
	struct change *c;

	ALLOC_GROW(cs->v, cs->n + 1, cs->alloc);
	c = &cs->v[cs->n++];
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->status = status;
	if (old) {
		git_oid_cpy(&c->old_oid, git_tree_entry_id(old));
		c->old_mode = git_tree_entry_filemode(old);
	}
	if (new) {
		git_oid_cpy(&c->new_oid, git_tree_entry_id(new));
		c->new_mode = git_tree_entry_filemode(new);
	}
}

static int is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

/* git orders tree entries by name, comparing a tree's name as if it
 * ended in '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *x = git_tree_entry_name(a), *y = git_tree_entry_name(b);
	size_t lx = strlen(x), ly = strlen(y), n = lx < ly ? lx : ly;
	int c = memcmp(x, y, n);
	unsigned char cx, cy;

	if (c)
		return c;
	cx = n < lx ? (unsigned char)x[n] : (is_tree(a) ? '/' : 0);
	cy = n < ly ? (unsigned char)y[n] : (is_tree(b) ? '/' : 0);
	return (int)cx - (int)cy;
}

static const char *join_path(struct arena *a, const char *dir,
			     const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	char *p;

	if (!dl)
		return arena_strndup(a, name, nl);
	p = arena_alloc(a, dl + nl + 2);
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, name, nl + 1);
	return p;
}

static int walk_trees(git_repository *repo, const git_tree *old,
		      const git_tree *new, const char *dir,
		      struct diff_changes *cs);

/* Every blob below tree, as added (or deleted). */
static int walk_one_side(git_repository *repo, const git_tree_entry *e,
			 const char *dir, int added, struct diff_changes *cs)
{
	git_tree *t = NULL;
	int ret;

	if (git_tree_lookup(&t, repo, git_tree_entry_id(e)) < 0)
		return -1;
	ret = walk_trees(repo, added ? NULL : t, added ? t : NULL, dir, cs);
	git_tree_free(t);
	return ret;
}

static int entry_change(git_repository *repo, const git_tree_entry *o,
			const git_tree_entry *n, const char *dir,
			struct diff_changes *cs)
{
	const char *path = join_path(cs->a, dir, git_tree_entry_name(o ? o : n));
	int ret = 0;

	if (o && n && is_tree(o) && is_tree(n)) {
		git_tree *to = NULL, *tn = NULL;

		if (git_tree_lookup(&to, repo, git_tree_entry_id(o)) < 0 ||
		    git_tree_lookup(&tn, repo, git_tree_entry_id(n)) < 0)
			ret = -1;
		else
			ret = walk_trees(repo, to, tn, path, cs);
		git_tree_free(to);
		git_tree_free(tn);
		return ret;
	}
	if (o && n && !is_tree(o) && !is_tree(n)) {
		add_change(cs, path, CHANGE_MODIFIED, o, n);
		return 0;
	}
	/* a type change is a deletion and an addition */
	if (o) {
		if (is_tree(o))
			ret = walk_one_side(repo, o, path, 0, cs);
		else
			add_change(cs, path, CHANGE_DELETED, o, NULL);
	}
	if (!ret && n) {
		if (is_tree(n))
			ret = walk_one_side(repo, n, path, 1, cs);
		else
			add_change(cs, path, CHANGE_ADDED, NULL, n);
	}
	return ret;
}

static int walk_trees(git_repository *repo, const git_tree *old,
		      const git_tree *new, const char *dir,
		      struct diff_changes *cs)
{
	size_t i = 0, j = 0;
	size_t no = old ? git_tree_entrycount(old) : 0;
	size_t nn = new ? git_tree_entrycount(new) : 0;

	while (i < no || j < nn) {
		const git_tree_entry *o = i < no ? git_tree_entry_byindex(old, i) : NULL;
		const git_tree_entry *n = j < nn ? git_tree_entry_byindex(new, j) : NULL;
		int c = !o ? 1 : !n ? -1 : entry_cmp(o, n);
		int ret;

		if (c < 0) {
			ret = entry_change(repo, o, NULL, dir, cs);
			i++;
		} else if (c > 0) {
			ret = entry_change(repo, NULL, n, dir, cs);
			j++;
		} else {
			ret = 0;
			if (!git_oid_equal(git_tree_entry_id(o),
					   git_tree_entry_id(n)) ||
			    git_tree_entry_filemode(o) !=
			    git_tree_entry_filemode(n))
				ret = entry_change(repo, o, n, dir, cs);
			i++;
			j++;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int cmp_change_path(const void *a, const void *b)
{
	return strcmp(((const struct change *)a)->path,
		      ((const struct change *)b)->path);
}

/* Turns a deletion and an addition of the same blob into a rename. */
static void pair_exact_renames(struct diff_changes *cs)
{
	size_t i, j, out = 0;

	for (i = 0; i < cs->n; i++) {
		struct change *d = &cs->v[i];

		if (d->status != CHANGE_DELETED || !d->old_mode ||
		    git_oid_is_zero(&d->old_oid))
			continue;
		for (j = 0; j < cs->n; j++) {
			struct change *n = &cs->v[j];

			if (n->status != CHANGE_ADDED ||
			    !git_oid_equal(&n->new_oid, &d->old_oid) ||
			    n->new_mode == GIT_FILEMODE_COMMIT)
				continue;
			n->status = CHANGE_RENAMED;
			n->old_path = d->path;
			git_oid_cpy(&n->old_oid, &d->old_oid);
			n->old_mode = d->old_mode;
			d->status = 0;	/* dropped below */
			break;
		}
	}
	for (i = 0; i < cs->n; i++)
		if (cs->v[i].status)
			cs->v[out++] = cs->v[i];
	cs->n = out;
}

/*
 * Inexact renames, git's way in miniature: each side's content is cut
 * into chunks (a line, or 64 bytes when a line is longer), the chunks are
 * hashed, and a pair's score is the bytes of the new file's chunks that
 * the old file also has, over the larger size.  A pair scoring 50% or
 * more is a rename; the best pairs win.  libgit2's own similarity search
 * needs a whole-tree git_diff first, and costs minutes on a mirror whose
 * history moves many files (flashinfer); this one reads each candidate
 * blob once.  Only text blobs up to max_size take part, and nothing when
 * there are more than RENAME_LIMIT additions or deletions (git's
 * diff.renameLimit works the same way).
 */
#define RENAME_LIMIT 300
#define RENAME_MIN_SCORE 50
#define CHUNK_MAX 64

struct chunk {
	uint64_t hash;
	uint32_t len;
};

struct sig {
	struct chunk *v;
	size_t n;
	size_t size;
	int ok;
};

static int cmp_chunk(const void *a, const void *b)
{
	const struct chunk *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static void sig_of(struct sig *sg, const char *data, size_t len)
{
	size_t i = 0, alloc = 0;

	sg->size = len;
	while (i < len) {
		size_t start = i;
		uint64_t h = 1469598103934665603ULL;

		while (i < len && i - start < CHUNK_MAX) {
			unsigned char c = (unsigned char)data[i++];

			h = (h ^ c) * 1099511628211ULL;
			if (c == '\n')
				break;
		}
		ALLOC_GROW(sg->v, sg->n + 1, alloc);
		sg->v[sg->n].hash = h;
		sg->v[sg->n].len = (uint32_t)(i - start);
		sg->n++;
	}
	if (sg->n)
		qsort(sg->v, sg->n, sizeof(*sg->v), cmp_chunk);
	sg->ok = 1;
}

/* Bytes of b's chunks that a also has (as multisets). */
static size_t sig_common(const struct sig *a, const struct sig *b)
{
	size_t i = 0, j = 0, common = 0;

	while (i < a->n && j < b->n) {
		int c = cmp_chunk(&a->v[i], &b->v[j]);

		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			common += b->v[j].len;
			i++;
			j++;
		}
	}
	return common;
}

static void sig_load(git_repository *repo, const git_oid *id, size_t max,
		     struct sig *sg)
{
	git_blob *blob = NULL;
	const char *data;
	size_t len;

	memset(sg, 0, sizeof(*sg));
	if (git_blob_lookup(&blob, repo, id) < 0) {
		git_error_clear();
		return;
	}
	data = git_blob_rawcontent(blob);
	len = (size_t)git_blob_rawsize(blob);
	if ((!max || len <= max) &&
	    !memchr(data, '\0', len < BINARY_PROBE ? len : BINARY_PROBE))
		sig_of(sg, data, len);
	git_blob_free(blob);
}

struct candidate {
	size_t add, del;
	unsigned score;
};

static int cmp_candidate(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->add != y->add)
		return x->add < y->add ? -1 : 1;
	return x->del < y->del ? -1 : (x->del > y->del);
}

static int is_plain_blob(unsigned mode)
{
	return mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
}

static void pair_similar_renames(git_repository *repo, size_t max_size,
				 struct diff_changes *cs)
{
	size_t *adds = NULL, *dels = NULL, na = 0, nd = 0, aa = 0, ad = 0;
	struct sig *sa = NULL, *sd = NULL;
	struct candidate *cand = NULL;
	size_t nc = 0, ac = 0, i, j, out;

	for (i = 0; i < cs->n; i++) {
		if (cs->v[i].status == CHANGE_ADDED &&
		    is_plain_blob(cs->v[i].new_mode)) {
			ALLOC_GROW(adds, na + 1, aa);
			adds[na++] = i;
		} else if (cs->v[i].status == CHANGE_DELETED &&
			   is_plain_blob(cs->v[i].old_mode)) {
			ALLOC_GROW(dels, nd + 1, ad);
			dels[nd++] = i;
		}
	}
	if (!na || !nd || na > RENAME_LIMIT || nd > RENAME_LIMIT)
		goto out;
	sa = xcalloc(na, sizeof(*sa));
	sd = xcalloc(nd, sizeof(*sd));
	for (i = 0; i < na; i++)
		sig_load(repo, &cs->v[adds[i]].new_oid, max_size, &sa[i]);
	for (j = 0; j < nd; j++)
		sig_load(repo, &cs->v[dels[j]].old_oid, max_size, &sd[j]);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nd; j++) {
			size_t big, small, common;
			unsigned score;

			if (!sa[i].ok || !sd[j].ok)
				continue;
			big = sa[i].size > sd[j].size ? sa[i].size : sd[j].size;
			small = sa[i].size < sd[j].size ? sa[i].size : sd[j].size;
			/* the score cannot reach the minimum */
			if (!big || small * 100 < big * RENAME_MIN_SCORE)
				continue;
			common = sig_common(&sd[j], &sa[i]);
			score = (unsigned)(common * 100 / big);
			if (score < RENAME_MIN_SCORE)
				continue;
			ALLOC_GROW(cand, nc + 1, ac);
			cand[nc].add = i;
			cand[nc].del = j;
			cand[nc].score = score;
			nc++;
		}
	}
	if (nc)
		qsort(cand, nc, sizeof(*cand), cmp_candidate);
	for (i = 0; i < nc; i++) {
		struct change *add = &cs->v[adds[cand[i].add]];
		struct change *del = &cs->v[dels[cand[i].del]];

		if (add->status != CHANGE_ADDED || del->status != CHANGE_DELETED)
			continue;	/* one of them is paired already */
		add->status = CHANGE_RENAMED;
		add->old_path = del->path;
		git_oid_cpy(&add->old_oid, &del->old_oid);
		add->old_mode = del->old_mode;
		del->status = 0;
	}
	for (i = out = 0; i < cs->n; i++)
		if (cs->v[i].status)
			cs->v[out++] = cs->v[i];
	cs->n = out;
out:
	for (i = 0; sa && i < na; i++)
		free(sa[i].v);
	for (j = 0; sd && j < nd; j++)
		free(sd[j].v);
	free(sa);
	free(sd);
	free(cand);
	free(adds);
	free(dels);
}

static int has_adds_and_deletes(const struct diff_changes *cs)
{
	int adds = 0, dels = 0;
	size_t i;

	for (i = 0; i < cs->n; i++) {
		adds |= cs->v[i].status == CHANGE_ADDED;
		dels |= cs->v[i].status == CHANGE_DELETED;
	}
	return adds && dels;
}

/* ---- contents and lines ------------------------------------------ */

/* The function part of a hunk header, "@@ -1,2 +1,3 @@ FUNC\n". */
static void hunk_function(const git_diff_hunk *hunk, const char **func,
			  size_t *len)
{
	const char *h = hunk ? hunk->header : NULL;
	size_t n = hunk ? hunk->header_len : 0, i;
	const char *at = NULL;

	*func = NULL;
	*len = 0;
	for (i = 2; i + 1 < n && !at; i++)
		if (h[i] == '@' && h[i + 1] == '@')
			at = h + i + 2;
	if (!at)
		return;
	if (at < h + n && *at == ' ')
		at++;
	n = (size_t)(h + n - at);
	while (n && (at[n - 1] == '\n' || at[n - 1] == '\r'))
		n--;
	if (n) {
		*func = at;
		*len = n;
	}
}

/* Function lines longer than this are cut (a regex sees the start). */
#define FUNC_LINE_MAX 256

struct line_ctx {
	struct diff_file *f;
	const struct diff_visitor *v;
	int want;
	int failed;
	/* The hunk being visited, and per side (added, removed) the last
	 * function line the hunk itself added or removed: the lines after it
	 * sit in that function, not in the one the hunk header names. */
	int old_start, new_start;
	char func[2][FUNC_LINE_MAX];
	size_t func_len[2];
	/* the hunk the line classes were last told of (its starts) */
	int class_old, class_new;
};

/* git's default rule for a function line: it starts with a letter, '_'
 * or '$' (no indentation). */
static int is_function_line(const char *s, size_t len)
{
	return len && ((s[0] >= 'a' && s[0] <= 'z') ||
		       (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_' ||
		       s[0] == '$');
}

/* The function line the change on this line sits in. */
static void line_function(struct line_ctx *lc, const git_diff_hunk *hunk,
			  int removed, const char *text, size_t len,
			  const char **func, size_t *func_len)
{
	if (hunk->old_start != lc->old_start ||
	    hunk->new_start != lc->new_start) {
		lc->old_start = hunk->old_start;
		lc->new_start = hunk->new_start;
		lc->func_len[0] = lc->func_len[1] = 0;
	}
	if (is_function_line(text, len)) {
		size_t n = len < FUNC_LINE_MAX ? len : FUNC_LINE_MAX;

		memcpy(lc->func[removed], text, n);
		lc->func_len[removed] = n;
	}
	if (lc->func_len[removed]) {
		*func = lc->func[removed];
		*func_len = lc->func_len[removed];
	} else {
		hunk_function(hunk, func, func_len);
	}
}

static int on_line(const git_diff_delta *delta, const git_diff_hunk *hunk,
		   const git_diff_line *l, void *payload)
{
	struct line_ctx *lc = payload;
	size_t len = l->content_len, func_len;
	const char *func;
	enum rule_side side;
	uint32_t lineno;

	(void)delta;
	if (l->origin == GIT_DIFF_LINE_ADDITION) {
		lc->f->added++;
		side = RULE_SIDE_ADDED;
		lineno = (uint32_t)l->new_lineno;
	} else if (l->origin == GIT_DIFF_LINE_DELETION) {
		lc->f->removed++;
		side = RULE_SIDE_REMOVED;
		lineno = (uint32_t)l->old_lineno;
	} else {
		return 0;
	}
	if (!lc->want)
		return 0;
	if (hunk->old_start != lc->class_old ||
	    hunk->new_start != lc->class_new) {
		lineclass_file_hunk(lc->f->lines, (uint32_t)hunk->old_start,
				    (uint32_t)hunk->old_lines,
				    (uint32_t)hunk->new_start,
				    (uint32_t)hunk->new_lines);
		lc->class_old = hunk->old_start;
		lc->class_new = hunk->new_start;
	}
	if (len && l->content[len - 1] == '\n')
		len--;
	if (len && l->content[len - 1] == '\r')
		len--;
	line_function(lc, hunk, side == RULE_SIDE_REMOVED, l->content, len,
		      &func, &func_len);
	if (lc->v->line(lc->f, side, lineno, l->content, len, func, func_len,
			lc->v->payload) < 0) {
		lc->failed = 1;
		return -1;
	}
	return 0;
}

/* All lines of one side: an added or deleted file needs no xdiff. */
static int whole_file_lines(struct line_ctx *lc, const char *data, size_t len,
			    enum rule_side side)
{
	const char *p = data, *end = data + len;
	uint32_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (side == RULE_SIDE_ADDED)
			lc->f->added++;
		else
			lc->f->removed++;
		if (lc->want) {
			size_t tl = l && p[l - 1] == '\r' ? l - 1 : l;

			if (lc->v->line(lc->f, side, lineno, p, tl, NULL, 0,
					lc->v->payload) < 0)
				return -1;
		}
		p += l + 1;
	}
	return 0;
}

/*
 * Lines of a modified file.  Blobs go to git_diff_blobs(), which knows
 * their ids: git_diff_buffers() would hash both sides (with the
 * collision-detecting SHA-1) only to learn them.
 */
static int diff_lines(struct diff_file *f, const struct diff_visitor *v,
		      int want, const git_blob *old_blob,
		      const git_blob *new_blob)
{
	git_diff_options opts;
	struct line_ctx lc = { f, v, want, 0, -1, -1, { "", "" }, { 0, 0 },
			       -1, -1 };
	struct lineclass_file classes;
	int rc = 0;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	lineclass_file_init(&classes, f->path, f->old_data, f->old_len,
			    f->new_data, f->new_len);
	f->lines = &classes;

	if (!f->old_data) {
		rc = whole_file_lines(&lc, f->new_data, f->new_len,
				      RULE_SIDE_ADDED);
		goto out;
	}
	if (!f->new_data) {
		rc = whole_file_lines(&lc, f->old_data, f->old_len,
				      RULE_SIDE_REMOVED);
		goto out;
	}
	if (f->old_len == f->new_len &&
	    !memcmp(f->old_data, f->new_data, f->old_len))
		goto out;
	opts.context_lines = 0;
	opts.interhunk_lines = 0;
	opts.flags = GIT_DIFF_FORCE_TEXT;
	if ((old_blob && new_blob
	     ? git_diff_blobs(old_blob, NULL, new_blob, NULL, &opts, NULL,
			      NULL, NULL, on_line, &lc)
	     : git_diff_buffers(f->old_data, f->old_len, NULL, f->new_data,
				f->new_len, NULL, &opts, NULL, NULL, NULL,
				on_line, &lc)) < 0 && !lc.failed)
		rc = error("cannot diff '%s': %s", f->path,
			   git_error_last() ? git_error_last()->message
					    : "unknown error");
	else if (lc.failed)
		rc = -1;
out:
	f->lines = NULL;
	lineclass_file_release(&classes);
	return rc;
}

/* Where one side's contents live. */
struct side {
	git_blob *blob;
};

/* Loads one side; 0 when loaded or skipped (flags say why), -1 when the
 * blob is unreadable (flagged and reported). */
static int load_side(git_repository *repo, const struct mirror *m,
		     const unsigned char *commit, const char *path,
		     const git_oid *id, const struct diff_opts *o,
		     struct diff_file *f, struct side *sd,
		     const char **data, size_t *len)
{
	git_odb *odb = NULL;
	git_object_t type;
	size_t size = 0;
	char hex[OID_HEXSZ + 1], chex[OID_HEXSZ + 1];
	int rc;

	if (git_repository_odb(&odb, repo) < 0)
		goto unreadable;
	rc = git_odb_read_header(&size, &type, odb, id);
	git_odb_free(odb);
	if (rc < 0)
		goto unreadable;
	if (o->max_size && size > o->max_size) {
		f->flags |= FILE_OVERSIZE;
		return 0;
	}
	if (git_blob_lookup(&sd->blob, repo, id) < 0)
		goto unreadable;
	*data = git_blob_rawcontent(sd->blob);
	*len = (size_t)git_blob_rawsize(sd->blob);
	if (memchr(*data, '\0', *len < BINARY_PROBE ? *len : BINARY_PROBE))
		f->flags |= FILE_BINARY;
	return 0;
unreadable:
	{
		struct buf p = BUF_INIT;
		const git_error *e = git_error_last();

		oid_to_hex(hex, id->id);
		oid_to_hex(chex, commit);
		esc_text(&p, path, strlen(path));
		msg_partial("%s: commit %.12s: cannot read blob %s of '%s': %s",
			    m->name, chex, hex, p.ptr,
			    e && e->message ? e->message : "object not found");
		buf_release(&p);
		git_error_clear();
		f->flags |= FILE_UNREADABLE;
		return -1;
	}
}

static int visit_change(struct mirror *m, const unsigned char *commit,
			const struct change *c, const struct diff_opts *o,
			const struct diff_visitor *v)
{
	struct diff_file f;
	struct side so = { NULL }, sn = { NULL };
	char sub_old[18 + OID_HEXSZ + 2], sub_new[18 + OID_HEXSZ + 2];
	int want, ret = 0;

	memset(&f, 0, sizeof(f));
	f.path = c->path;
	f.old_path = c->old_path;
	f.status = c->status;
	memcpy(f.old_oid, c->old_oid.id, OID_RAWSZ);
	memcpy(f.new_oid, c->new_oid.id, OID_RAWSZ);
	if (c->old_mode == GIT_FILEMODE_COMMIT ||
	    c->new_mode == GIT_FILEMODE_COMMIT)
		f.flags |= FILE_SUBMODULE;
	else if (c->old_mode == GIT_FILEMODE_LINK ||
		 c->new_mode == GIT_FILEMODE_LINK)
		f.flags |= FILE_SYMLINK;
	want = v->need ? v->need(&f, v->payload) : 1;
	if (want < 0)
		return -1;
	if (want && !(f.flags & (FILE_SUBMODULE | FILE_SYMLINK)) &&
	    !git_oid_equal(&c->old_oid, &c->new_oid)) {
		if (is_plain_blob(c->old_mode))
			load_side(m->repo, m, commit,
				  c->old_path ? c->old_path : c->path,
				  &c->old_oid, o, &f, &so, &f.old_data,
				  &f.old_len);
		if (is_plain_blob(c->new_mode) &&
		    !(f.flags & (FILE_UNREADABLE | FILE_OVERSIZE)))
			load_side(m->repo, m, commit, c->path, &c->new_oid, o,
				  &f, &sn, &f.new_data, &f.new_len);
	}
	if (f.flags & (FILE_BINARY | FILE_OVERSIZE | FILE_UNREADABLE)) {
		f.old_data = f.new_data = NULL;
		f.old_len = f.new_len = 0;
	}
	if (want && (f.flags & FILE_SUBMODULE)) {
		/* as git shows a gitlink: "Subproject commit <id>" */
		if (c->old_mode == GIT_FILEMODE_COMMIT) {
			memcpy(sub_old, "Subproject commit ", 18);
			oid_to_hex(sub_old + 18, c->old_oid.id);
			sub_old[18 + OID_HEXSZ] = '\n';
			f.old_data = sub_old;
			f.old_len = 18 + OID_HEXSZ + 1;
		}
		if (c->new_mode == GIT_FILEMODE_COMMIT) {
			memcpy(sub_new, "Subproject commit ", 18);
			oid_to_hex(sub_new + 18, c->new_oid.id);
			sub_new[18 + OID_HEXSZ] = '\n';
			f.new_data = sub_new;
			f.new_len = 18 + OID_HEXSZ + 1;
		}
	}
	want = v->file(&f, v->payload);
	if (want < 0) {
		ret = -1;
		goto out;
	}
	if ((f.old_data || f.new_data) &&
	    diff_lines(&f, v, want, so.blob, sn.blob) < 0) {
		ret = -1;
		goto out;
	}
	ret = v->file_done(&f, v->payload);
out:
	git_blob_free(so.blob);
	git_blob_free(sn.blob);
	return ret;
}

const char *diff_change_path(const struct diff_changes *cs, size_t k)
{
	return cs->v[k].path;
}

void diff_changes_digest(const struct diff_changes *cs, const void *salt,
			 size_t saltlen, unsigned char *out)
{
	struct buf b = BUF_INIT;
	git_oid id;
	size_t i;

	buf_add(&b, salt, saltlen);
	for (i = 0; i < cs->n; i++) {
		const struct change *c = &cs->v[i];
		unsigned u[3] = { c->status, c->old_mode, c->new_mode };

		buf_add(&b, u, sizeof(u));
		buf_add(&b, c->old_oid.id, OID_RAWSZ);
		buf_add(&b, c->new_oid.id, OID_RAWSZ);
		/* with their NULs: "a" "bc" is not "ab" "c" */
		buf_add(&b, c->path, strlen(c->path) + 1);
		buf_addch(&b, c->old_path != NULL);
		if (c->old_path)
			buf_add(&b, c->old_path, strlen(c->old_path) + 1);
	}
	git_odb_hash(&id, b.ptr ? b.ptr : "", b.len, GIT_OBJECT_BLOB);
	memcpy(out, id.id, OID_RAWSZ);
	buf_release(&b);
}

int diff_commit_changes(struct mirror *m, const unsigned char *oid,
			const struct diff_opts *o, struct arena *a,
			struct diff_changes *cs)
{
	git_commit *c = NULL, *parent = NULL;
	git_tree *tree = NULL, *ptree = NULL;
	char hex[OID_HEXSZ + 1];
	git_oid id;
	int ret = 0;

	memset(cs, 0, sizeof(*cs));
	cs->a = a;
	memcpy(id.id, oid, OID_RAWSZ);
	oid_to_hex(hex, oid);
	if (git_commit_lookup(&c, m->repo, &id) < 0 ||
	    git_commit_tree(&tree, c) < 0) {
		ret = error("%s: cannot read commit %s: %s", m->name, hex,
			    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (git_commit_parentcount(c) &&
	    (git_commit_parent(&parent, c, 0) < 0 ||
	     git_commit_tree(&ptree, parent) < 0)) {
		ret = error("%s: cannot read the parent of commit %s: %s",
			    m->name, hex,
			    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (walk_trees(m->repo, ptree, tree, "", cs) < 0) {
		ret = error("%s: cannot read a tree of commit %s: %s", m->name,
			    hex,
			    git_error_last() ? git_error_last()->message : "?");
		goto out;
	}
	if (o->renames) {
		pair_exact_renames(cs);
		if (has_adds_and_deletes(cs))
			pair_similar_renames(m->repo, o->max_size, cs);
	}
	if (cs->n)
		qsort(cs->v, cs->n, sizeof(*cs->v), cmp_change_path);
out:
	if (ret)
		diff_changes_release(cs);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	git_commit_free(c);
	return ret;
}

int diff_visit_changes(struct mirror *m, const unsigned char *oid,
		       const struct diff_changes *cs, size_t from, size_t to,
		       const struct diff_opts *o, const struct diff_visitor *v)
{
	size_t i;
	int ret = 0;

	for (i = from; i < to && i < cs->n && !ret; i++)
		ret = visit_change(m, oid, &cs->v[i], o, v);
	return ret;
}

void diff_changes_release(struct diff_changes *cs)
{
	free(cs->v);
	cs->v = NULL;
	cs->n = cs->alloc = 0;
}

int diff_commit(struct mirror *m, const unsigned char *oid,
		const struct diff_opts *o, struct arena *a,
		const struct diff_visitor *v)
{
	struct diff_changes cs;
	int ret;

	if (diff_commit_changes(m, oid, o, a, &cs) < 0)
		return -1;
	ret = diff_visit_changes(m, oid, &cs, 0, cs.n, o, v);
	diff_changes_release(&cs);
	return ret;
}
