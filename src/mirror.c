/*
 * mirror.c: mirrors on disk (see mirror.h).  Naming follows the contract:
 * a directory's name without ".git"; a generic "repo" or ".git" takes the
 * parent's name with '+' read as '/'.
 */
#include "config.h"
#include "mirror.h"
#include "arena.h"
#include "buf.h"
#include "dirlist.h"
#include "esc.h"
#include "msg.h"
#include "pack.h"

#include <errno.h>
#include <fnmatch.h>
#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int git_fail(const char *what, const char *subject)
{
	const git_error *e = git_error_last();
	struct buf s = BUF_INIT;
	int r;

	esc_text(&s, subject, strlen(subject));
	r = error("%s '%s': %s", what, s.ptr,
		  e && e->message ? e->message : "unknown libgit2 error");
	buf_release(&s);
	return r;
}

int mirror_init(void)
{
	static const int levels[] = {
		GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG,
		GIT_CONFIG_LEVEL_GLOBAL, GIT_CONFIG_LEVEL_PROGRAMDATA,
	};
	size_t i;

	if (git_libgit2_init() < 0)
		return error("cannot initialise libgit2");
	/*
	 * Read the mirror's own configuration only: a user's or the
	 * system's config must not change what a scan sees.  Ownership
	 * checks protect programs that run hooks or filters from another
	 * user's repository; mirrorscan runs neither, and shared mirror
	 * directories owned by a service account are the normal case.
	 */
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, levels[i], "");
#ifdef GIT_OPT_SET_OWNER_VALIDATION
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
#endif
	/* libgit2 caches parsed commits and trees; a bounded cache keeps
	 * the walk of a 100k-commit mirror within the memory target.  Lowered
	 * from 16 MiB with the pack cache (PACK_CACHE_BYTES in scan.c). */
	git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)8 << 20);
	/* Pack files are mapped in windows; libgit2's 64-bit defaults (1 GiB
	 * windows, 8 GiB mapped) let a scan's resident size grow with the
	 * pack.  Smaller windows cost a few extra mmap calls, no reads. */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)16 << 20);
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
	/*
	 * libgit2 hashes every object it reads to check its id, with the
	 * collision-detecting SHA-1: a fifth of a scan's CPU on a large
	 * mirror.  git checks ids in fsck, not on every read; zlib's
	 * checksum still catches a damaged object.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	return 0;
}

void mirror_shutdown(void)
{
	git_libgit2_shutdown();
}

void mirror_version(struct buf *out)
{
	int major, minor, rev;

	git_libgit2_version(&major, &minor, &rev);
	buf_addf(out, "libgit2 %d.%d.%d", major, minor, rev);
}

void oid_to_hex(char *hex, const unsigned char *oid)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < OID_RAWSZ; i++) {
		hex[2 * i] = digits[oid[i] >> 4];
		hex[2 * i + 1] = digits[oid[i] & 15];
	}
	hex[OID_HEXSZ] = '\0';
}

int oid_from_hex(unsigned char *oid, const char *hex)
{
	git_oid o;

	if (strlen(hex) != OID_HEXSZ || git_oid_fromstr(&o, hex) < 0)
		return -1;
	memcpy(oid, o.id, OID_RAWSZ);
	return 0;
}

/* ---- finding and naming ----------------------------------------- */

static char *base_name(const char *path, size_t *len)
{
	const char *end = path + strlen(path), *start;

	while (end > path + 1 && end[-1] == '/')
		end--;
	start = end;
	while (start > path && start[-1] != '/')
		start--;
	*len = (size_t)(end - start);
	return (char *)start;
}

/* The contract's name for the repository at path (canonical, no
 * trailing slash). */
static char *name_from_path(const char *path)
{
	size_t len, plen;
	const char *b = base_name(path, &len);
	char *name, *p;

	if (len >= 4 && !memcmp(b + len - 4, ".git", 4))
		len -= 4;
	if (len && !(len == 4 && !memcmp(b, "repo", 4)))
		return xstrndup(b, len);
	/* a generic name: the parent directory names it */
	if (b == path || b - 1 == path)
		return xstrndup(b, len ? len : 1);
	{
		char *parent = xstrndup(path, (size_t)(b - 1 - path));
		const char *pb = base_name(parent, &plen);

		if (plen > 4 && !memcmp(pb + plen - 4, ".git", 4))
			plen -= 4;
		name = xstrndup(pb, plen);
		free(parent);
	}
	for (p = name; *p; p++)
		if (*p == '+')
			*p = '/';
	return name;
}

static int is_repository(const char *path)
{
	git_repository *repo = NULL;
	int ok = git_repository_open_ext(&repo, path,
					 GIT_REPOSITORY_OPEN_NO_SEARCH,
					 NULL) == 0;

	git_repository_free(repo);
	return ok;
}

static void add_spec(struct mirror_spec **specs, size_t *n, size_t *alloc,
		     char *name, const char *path)
{
	ALLOC_GROW(*specs, *n + 1, *alloc);
	(*specs)[*n].name = name;
	(*specs)[*n].path = xstrdup(path);
	(*n)++;
}

/* Entries of a directory of mirrors: not hidden, but "x/.git" is one. */
static int is_mirror_entry(const char *name)
{
	return name[0] != '.' || !strcmp(name, ".git");
}

/* Repositories directly in dir, or one level further down. */
static int find_in_dir(const char *dir, int depth, struct mirror_spec **specs,
		       size_t *n, size_t *alloc)
{
	char **names;
	size_t nnames, i, before = *n;

	if (dirlist(dir, is_mirror_entry, &names, &nnames) < 0)
		return 0;
	for (i = 0; i < nnames; i++) {
		struct buf sub = BUF_INIT;
		struct stat st;

		buf_addf(&sub, "%s/%s", dir, names[i]);
		if (!stat(sub.ptr, &st) && S_ISDIR(st.st_mode)) {
			if (is_repository(sub.ptr))
				add_spec(specs, n, alloc,
					 name_from_path(sub.ptr), sub.ptr);
			else if (depth < 2)
				find_in_dir(sub.ptr, depth + 1, specs, n,
					    alloc);
		}
		buf_release(&sub);
	}
	dirlist_free(names, nnames);
	return *n > before;
}

int mirror_find(const char *arg, struct mirror_spec **specs, size_t *n,
		size_t *alloc)
{
	const char *eq = strchr(arg, '=');
	const char *path = arg;
	char *name = NULL, *real = NULL;
	struct stat st;
	int ret = 0;

	if (eq && stat(arg, &st) < 0) {
		name = xstrndup(arg, (size_t)(eq - arg));
		path = eq + 1;
		if (!*name) {
			ret = error("empty name in '%s'", arg);
			goto out;
		}
	}
	real = realpath(path, NULL);
	if (!real) {
		ret = error("cannot open mirror '%s': %s", path,
			    strerror(errno));
		goto out;
	}
	if (is_repository(real)) {
		char *nm = name ? name : name_from_path(real);

		name = NULL;
		add_spec(specs, n, alloc, nm, real);
		goto out;
	}
	if (name) {
		ret = error("not a git repository: '%s'", path);
		goto out;
	}
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !find_in_dir(real, 1, specs, n, alloc))
		ret = error("not a git repository, nor a directory of them: "
			    "'%s'", path);
out:
	free(name);
	free(real);
	return ret;
}

void mirror_spec_release(struct mirror_spec *spec)
{
	free(spec->name);
	free(spec->path);
	spec->name = spec->path = NULL;
}

/*
 * A repository with a work tree (or a bare one without core.bare) is
 * opened again from its git directory as bare: libgit2 looks for the
 * work tree's .gitattributes, with 7 system calls, at each file change
 * it diffs, and mirrorscan reads objects and refs only.
 */
static int reopen_bare(struct mirror *m)
{
	git_repository *bare;
	char *gitdir;
	int rc = 0;

	if (!git_repository_workdir(m->repo))
		return 0;
	gitdir = xstrdup(git_repository_path(m->repo));
	if (git_repository_open_ext(&bare, gitdir,
				    GIT_REPOSITORY_OPEN_NO_SEARCH |
				    GIT_REPOSITORY_OPEN_BARE, NULL) < 0) {
		rc = git_fail("cannot open repository", gitdir);
		git_repository_free(m->repo);
		m->repo = NULL;
		goto out;
	}
	git_repository_free(m->repo);
	m->repo = bare;
out:
	free(gitdir);
	return rc;
}

int mirror_open(struct mirror *m, const char *name, const char *path,
		struct pack_cache *packs)
{
	m->name = name;
	m->path = path;
	m->repo = NULL;
	if (git_repository_open_ext(&m->repo, path,
				    GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0)
		return git_fail("cannot open repository", path);
	if (reopen_bare(m) < 0)
		return -1;
	if (packs && pack_attach(m->repo, packs) < 0) {
		git_fail("cannot read the pack files of", path);
		mirror_close(m);
		return -1;
	}
	return 0;
}

void mirror_close(struct mirror *m)
{
	git_repository_free(m->repo);
	m->repo = NULL;
}

/* ---- refs -------------------------------------------------------- */

static uint32_t pull_number(const char *name, const char **rest)
{
	const char *p = name + strlen("refs/pull/");
	unsigned long v = 0;

	if (*p < '1' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9' && v < 100000000UL)
		v = v * 10 + (unsigned long)(*p++ - '0');
	if (*p != '/')
		return 0;
	*rest = p + 1;
	return (uint32_t)v;
}

static int classify(const char *name, struct mirror_ref *r)
{
	r->pr = 0;
	if (!strncmp(name, "refs/heads/", 11) ||
	    (!strncmp(name, "refs/remotes/", 13)))
		r->kind = REF_BRANCH;
	else if (!strncmp(name, "refs/tags/", 10))
		r->kind = REF_TAG;
	else if (!strncmp(name, "refs/notes/", 11) ||
		 !strcmp(name, "refs/stash"))
		return -1;
	else if (!strncmp(name, "refs/pull/", 10)) {
		const char *rest = NULL;

		r->pr = pull_number(name, &rest);
		if (!r->pr)
			r->kind = REF_OTHER;
		else if (!strcmp(rest, "head"))
			r->kind = REF_PULL;
		else if (!strcmp(rest, "merge"))
			r->kind = REF_PULL_MERGE;
		else
			r->kind = REF_OTHER;
	} else
		r->kind = REF_OTHER;
	return 0;
}

static int cmp_ref(const void *a, const void *b)
{
	const struct mirror_ref *x = a, *y = b;

	if (x->is_default != y->is_default)
		return y->is_default - x->is_default;
	return strcmp(x->name, y->name);
}

static int glob_ok(const char *name, const char *const *globs, size_t n)
{
	size_t i;

	if (!n)
		return 1;
	for (i = 0; i < n; i++)
		if (!fnmatch(globs[i], name, 0))
			return 1;
	return 0;
}

/* The commit a ref points at, peeled through tags; reads no object when
 * known() recognises the target or packed-refs holds the peeled id. */
static int ref_commit(git_reference *ref, const char *name,
		      mirror_known_fn known, void *payload, unsigned char *oid)
{
	const git_oid *target = git_reference_target(ref);
	const git_oid *peeled = git_reference_target_peel(ref);
	git_object *obj = NULL;

	if (target && known && known(name, target->id, payload)) {
		memcpy(oid, target->id, OID_RAWSZ);
		return 0;
	}
	if (peeled && known && known(name, peeled->id, payload)) {
		memcpy(oid, peeled->id, OID_RAWSZ);
		return 0;
	}
	if (git_reference_peel(&obj, ref, GIT_OBJECT_COMMIT) < 0) {
		/* a tag of a tree or blob, or a dangling ref */
		git_error_clear();
		return -1;
	}
	memcpy(oid, git_object_id(obj)->id, OID_RAWSZ);
	git_object_free(obj);
	return 0;
}

int mirror_refs(struct mirror *m, const char *const *globs, size_t nglobs,
		struct arena *a, struct mirror_ref **out, size_t *n,
		const char **default_branch, mirror_known_fn known,
		void *payload)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL, *head = NULL;
	size_t alloc = 0;
	int rc, ret = 0;

	*out = NULL;
	*n = 0;
	*default_branch = "";
	if (!git_reference_lookup(&head, m->repo, "HEAD") &&
	    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC)
		*default_branch = arena_strdup(a,
					git_reference_symbolic_target(head));
	git_reference_free(head);

	if (git_reference_iterator_new(&it, m->repo) < 0)
		return git_fail("cannot list refs of", m->path);
	while (!(rc = git_reference_next(&ref, it))) {
		const char *name = git_reference_name(ref);
		struct mirror_ref r = { 0 };

		if (git_reference_type(ref) != GIT_REFERENCE_DIRECT ||
		    classify(name, &r) < 0 || !glob_ok(name, globs, nglobs) ||
		    ref_commit(ref, name, known, payload, r.oid) < 0)
			goto next;
		r.name = arena_strdup(a, name);
		r.is_default = !strcmp(name, *default_branch);
		ALLOC_GROW(*out, *n + 1, alloc);
		(*out)[(*n)++] = r;
next:
		git_reference_free(ref);
	}
	if (rc != GIT_ITEROVER)
		ret = git_fail("cannot list refs of", m->path);
	git_reference_iterator_free(it);
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_ref);
	return ret;
}

/* ---- walking ----------------------------------------------------- */

/* Open-addressing set of object ids; the ids are hashes already, so
 * their first bytes make a good slot number. */
struct oidset {
	unsigned char (*slot)[OID_RAWSZ];
	unsigned char *used;
	size_t cap, n;
};

static size_t oidset_pos(const struct oidset *s, const unsigned char *oid)
{
	uint64_t h;

	memcpy(&h, oid, sizeof(h));
	return (size_t)h & (s->cap - 1);
}

static int oidset_has(const struct oidset *s, const unsigned char *oid)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = oidset_pos(s, oid); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->slot[i], oid, OID_RAWSZ))
			return 1;
	return 0;
}

static void oidset_add(struct oidset *s, const unsigned char *oid);

static void oidset_grow(struct oidset *s)
{
	struct oidset bigger = { 0 };
	size_t i;

	bigger.cap = s->cap ? s->cap * 2 : 1024;
	bigger.slot = xcalloc(bigger.cap, OID_RAWSZ);
	bigger.used = xcalloc(bigger.cap, 1);
	for (i = 0; i < s->cap; i++)
		if (s->used[i])
			oidset_add(&bigger, s->slot[i]);
	free(s->slot);
	free(s->used);
	*s = bigger;
}

static void oidset_add(struct oidset *s, const unsigned char *oid)
{
	size_t i;

	if ((s->n + 1) * 4 > s->cap * 3)
		oidset_grow(s);
	for (i = oidset_pos(s, oid); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->slot[i], oid, OID_RAWSZ))
			return;
	memcpy(s->slot[i], oid, OID_RAWSZ);
	s->used[i] = 1;
	s->n++;
}

static void oidset_clear(struct oidset *s)
{
	free(s->slot);
	free(s->used);
	memset(s, 0, sizeof(*s));
}

struct walk_frame {
	unsigned char oid[OID_RAWSZ];
	unsigned char (*parents)[OID_RAWSZ];
	unsigned nparents, next;
};

struct mirror_walk {
	struct mirror *m;
	int64_t since;
	int hit_horizon;
	struct oidset seen;
	struct walk_frame *stack;
	size_t depth, alloc;
};

struct mirror_walk *mirror_walk_new(struct mirror *m, int64_t since)
{
	struct mirror_walk *w = xcalloc(1, sizeof(*w));

	w->m = m;
	w->since = since;
	return w;
}

void mirror_walk_free(struct mirror_walk *w)
{
	if (!w)
		return;
	while (w->depth)
		free(w->stack[--w->depth].parents);
	free(w->stack);
	oidset_clear(&w->seen);
	free(w);
}

int mirror_walk_seen(struct mirror_walk *w, const unsigned char *oid)
{
	return oidset_has(&w->seen, oid);
}

int mirror_walk_hit_horizon(const struct mirror_walk *w)
{
	return w->hit_horizon;
}

/* Marks oid seen and, unless cut, pushes a frame with its parents.
 * Returns 1 when pushed, 0 when cut, -1 on error. */
static int walk_push(struct mirror_walk *w, const unsigned char *oid,
		     const char *refname, mirror_stop_fn stop, void *payload)
{
	git_commit *c = NULL;
	git_oid id;
	struct walk_frame *f;
	unsigned i;
	int rc;

	oidset_add(&w->seen, oid);
	if ((rc = stop(oid, payload)) != 0)
		return rc < 0 ? -1 : 0;
	memcpy(id.id, oid, OID_RAWSZ);
	if (git_commit_lookup(&c, w->m->repo, &id) < 0) {
		const git_error *e = git_error_last();
		char hex[OID_HEXSZ + 1];
		struct buf r = BUF_INIT;

		oid_to_hex(hex, oid);
		esc_text(&r, refname, strlen(refname));
		msg_partial("%s: cannot read commit %s (reached from %s): %s",
			    w->m->name, hex, r.ptr,
			    e && e->message ? e->message : "unknown error");
		buf_release(&r);
		git_error_clear();
		return 0;
	}
	if (w->since && git_commit_time(c) < w->since) {
		w->hit_horizon = 1;
		git_commit_free(c);
		return 0;
	}
	ALLOC_GROW(w->stack, w->depth + 1, w->alloc);
	f = &w->stack[w->depth++];
	memcpy(f->oid, oid, OID_RAWSZ);
	f->nparents = git_commit_parentcount(c);
	f->next = 0;
	f->parents = f->nparents ? xmalloc(st_mult(f->nparents, OID_RAWSZ))
				 : NULL;
	for (i = 0; i < f->nparents; i++)
		memcpy(f->parents[i], git_commit_parent_id(c, i)->id,
		       OID_RAWSZ);
	git_commit_free(c);
	return 1;
}

int mirror_walk_from(struct mirror_walk *w, const unsigned char *tip,
		     const char *refname, mirror_stop_fn stop,
		     mirror_emit_fn emit, void *payload)
{
	int rc;

	if (oidset_has(&w->seen, tip))
		return 0;
	if ((rc = walk_push(w, tip, refname, stop, payload)) <= 0)
		return rc;
	while (w->depth) {
		struct walk_frame *f = &w->stack[w->depth - 1];

		if (f->next < f->nparents) {
			const unsigned char *p = f->parents[f->next++];

			if (oidset_has(&w->seen, p))
				continue;
			if (walk_push(w, p, refname, stop, payload) < 0)
				return -1;
			continue;
		}
		rc = emit(f->oid, payload);
		free(f->parents);
		w->depth--;
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* ---- commits ----------------------------------------------------- */

uint32_t mirror_subject_pr(const char *s)
{
	size_t len = strlen(s);
	const char *p;
	unsigned long v = 0;

	if (!strncmp(s, "Merge pull request #", 20)) {
		for (p = s + 20; *p >= '0' && *p <= '9' && v < 100000000UL; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (p > s + 20 && (*p == ' ' || !*p))
			return (uint32_t)v;
		return 0;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len < 4 || s[len - 1] != ')')
		return 0;
	p = s + len - 2;
	while (p > s && *p >= '0' && *p <= '9')
		p--;
	if (p == s + len - 2 || *p != '#' || p - s < 2 || p[-1] != '(')
		return 0;
	for (p++; *p >= '0' && *p <= '9' && v < 100000000UL; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	return (uint32_t)v;
}

static const char *copy_trimmed(struct arena *a, const char *s, size_t max)
{
	size_t len;

	if (!s)
		return "";
	len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		len--;
	if (len > max)
		len = max;
	return arena_strndup(a, s, len);
}

int mirror_read_commit(struct mirror *m, const unsigned char *oid,
		       struct arena *a, struct commit *c)
{
	git_commit *gc = NULL;
	const git_signature *author;
	git_oid id;
	char hex[OID_HEXSZ + 1];

	memcpy(id.id, oid, OID_RAWSZ);
	if (git_commit_lookup(&gc, m->repo, &id) < 0) {
		oid_to_hex(hex, oid);
		return git_fail("cannot read commit", hex);
	}
	memset(c, 0, sizeof(*c));
	memcpy(c->oid, oid, OID_RAWSZ);
	c->time = git_commit_time(gc);
	author = git_commit_author(gc);
	c->author = arena_strdup(a, author->name ? author->name : "");
	c->email = arena_strdup(a, author->email ? author->email : "");
	c->author_time = author->when.time;
	c->subject = copy_trimmed(a, git_commit_summary(gc), 4096);
	c->body = copy_trimmed(a, git_commit_body(gc), COMMIT_BODY_MAX);
	c->nparents = git_commit_parentcount(gc);
	if (c->nparents > 1)
		c->flags |= COMMIT_MERGE;
	c->pr = mirror_subject_pr(c->subject);
	git_commit_free(gc);
	return 0;
}

/* ---- graph queries (pull requests, prs.c) ------------------------- */

enum ref_kind mirror_ref_classify(const char *name, uint32_t *pr)
{
	struct mirror_ref r = { 0 };

	if (classify(name, &r) < 0) {
		*pr = 0;
		return REF_OTHER;
	}
	*pr = r.pr;
	return r.kind;
}

int mirror_revwalk(struct mirror *m, const unsigned char (*push)[OID_RAWSZ],
		   size_t npush, const unsigned char (*hide)[OID_RAWSZ],
		   size_t nhide, int topo, mirror_emit_fn fn, void *payload)
{
	git_revwalk *w = NULL;
	git_oid id;
	size_t i, pushed = 0;
	int rc = 0, ret = 0;

	if (git_revwalk_new(&w, m->repo) < 0)
		return git_fail("cannot walk", m->path);
	git_revwalk_sorting(w, topo ? GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME
				    : GIT_SORT_NONE);
	/* an id that is not a commit here (an old tip that a force push
	 * left to be pruned) is skipped: hiding less only walks more */
	for (i = 0; i < nhide; i++) {
		memcpy(id.id, hide[i], OID_RAWSZ);
		if (git_revwalk_hide(w, &id) < 0)
			git_error_clear();
	}
	for (i = 0; i < npush; i++) {
		memcpy(id.id, push[i], OID_RAWSZ);
		if (git_revwalk_push(w, &id) < 0)
			git_error_clear();
		else
			pushed++;
	}
	while (pushed && !(rc = git_revwalk_next(&id, w))) {
		rc = fn(id.id, payload);
		if (rc < 0) {
			ret = -1;
			break;
		}
		if (rc > 0)
			break;
	}
	if (pushed && !ret && rc < 0 && rc != GIT_ITEROVER)
		ret = git_fail("cannot walk the history of", m->path);
	git_revwalk_free(w);
	return ret;
}

int mirror_descends(struct mirror *m, const unsigned char *commit,
		    const unsigned char *ancestor)
{
	git_oid c, a;
	int rc;

	if (!memcmp(commit, ancestor, OID_RAWSZ))
		return 1;
	memcpy(c.id, commit, OID_RAWSZ);
	memcpy(a.id, ancestor, OID_RAWSZ);
	rc = git_graph_descendant_of(m->repo, &c, &a);
	if (rc < 0) {
		/* the ancestor is gone (pruned after a force push): it is
		 * not in the history any more */
		git_error_clear();
		return 0;
	}
	return rc;
}

int mirror_read_parents(struct mirror *m, const unsigned char *oid,
			unsigned char (*parents)[OID_RAWSZ], unsigned max,
			unsigned *n)
{
	git_commit *gc = NULL;
	git_oid id;
	char hex[OID_HEXSZ + 1];
	unsigned i;

	memcpy(id.id, oid, OID_RAWSZ);
	if (git_commit_lookup(&gc, m->repo, &id) < 0) {
		oid_to_hex(hex, oid);
		return git_fail("cannot read commit", hex);
	}
	*n = git_commit_parentcount(gc);
	for (i = 0; i < *n && i < max; i++)
		memcpy(parents[i], git_commit_parent_id(gc, i)->id, OID_RAWSZ);
	git_commit_free(gc);
	return 0;
}
