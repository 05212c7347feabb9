/*
 * pack-read: a helper of tests/t1410-scan-packs.sh.  Reads every object
 * of a repository twice, with libgit2 alone and with mirrorscan's pack
 * reader alone (src/pack.h), and compares what they give.
 *
 *	pack-read GITDIR [--cache BYTES] [--threads N]
 *
 * With N threads, each reads every object through a backend of its own,
 * all sharing one delta-base cache (as a scan's workers do); the even
 * ones in id order, the odd ones backwards, so bases are evicted while
 * others hold them.  libgit2 checks the id of each object the pack reader
 * gives (strict hash verification is on here), so a wrong byte cannot
 * pass.  Prints
 *
 *	objects N read R same S differ D refused F elsewhere E
 *
 * summed over the threads: R objects the pack reader read (S of them
 * the same as libgit2's, D not), F it has but could not read (a damaged
 * pack: libgit2 is left to report those), E not in its packs (loose).
 * Exit 0 when D is 0, 1 when it is not, 2 on a usage or setup error.
 */
#include "config.h"
#include "pack.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <git2/sys/odb_backend.h>

struct ids {
	git_oid *v;
	size_t n, alloc;
};

struct reader {
	const char *gitdir;
	struct pack_cache *cache;
	const struct ids *ids;
	int backwards;
	int failed;
	size_t read, same, differ, refused, elsewhere;
};

static int collect(const git_oid *id, void *payload)
{
	struct ids *ids = payload;

	if (ids->n == ids->alloc) {
		ids->alloc = ids->alloc ? 2 * ids->alloc : 1024;
		ids->v = realloc(ids->v, ids->alloc * sizeof(*ids->v));
		if (!ids->v)
			return -1;
	}
	ids->v[ids->n++] = *id;
	return 0;
}

static int cmp_oid(const void *a, const void *b)
{
	return git_oid_cmp(a, b);
}

/* Compares one object as both read it. */
static void compare(struct reader *r, git_odb *ref, git_odb *mine,
		    const git_oid *id)
{
	git_odb_object *a = NULL, *b = NULL;
	size_t hlen;
	git_object_t htype;
	int ra, rb;

	if (!git_odb_exists(mine, id)) {
		r->elsewhere++;
		return;
	}
	ra = git_odb_read(&a, ref, id);
	rb = git_odb_read(&b, mine, id);
	if (rb < 0) {
		r->refused++;
		/* what libgit2 reads, the pack reader must read too */
		if (ra == 0)
			r->differ++;
		goto out;
	}
	r->read++;
	if (ra == 0 && git_odb_object_type(a) == git_odb_object_type(b) &&
	    git_odb_object_size(a) == git_odb_object_size(b) &&
	    !memcmp(git_odb_object_data(a), git_odb_object_data(b),
		    git_odb_object_size(a)) &&
	    git_odb_read_header(&hlen, &htype, mine, id) == 0 &&
	    hlen == git_odb_object_size(a) &&
	    htype == git_odb_object_type(a))
		r->same++;
	else
		r->differ++;
out:
	git_error_clear();
	git_odb_object_free(a);
	git_odb_object_free(b);
}

static void *read_all(void *arg)
{
	struct reader *r = arg;
	git_repository *repo = NULL;
	git_odb *ref = NULL, *mine = NULL;
	git_odb_backend *backend;
	char objects[4096];
	size_t i;

	snprintf(objects, sizeof(objects), "%s/objects", r->gitdir);
	if (git_repository_open_bare(&repo, r->gitdir) < 0 ||
	    git_repository_odb(&ref, repo) < 0 || git_odb_new(&mine) < 0)
		goto fail;
	backend = pack_backend_new(objects, r->cache);
	if (!backend || git_odb_add_backend(mine, backend, 1) < 0)
		goto fail;
	for (i = 0; i < r->ids->n; i++)
		compare(r, ref, mine,
			&r->ids->v[r->backwards ? r->ids->n - 1 - i : i]);
	goto out;
fail:
	r->failed = 1;
out:
	git_odb_free(mine);
	git_odb_free(ref);
	git_repository_free(repo);
	return NULL;
}

int main(int argc, char **argv)
{
	struct ids ids = { NULL, 0, 0 };
	struct reader *rs, total;
	pthread_t *th;
	git_repository *repo = NULL;
	git_odb *odb = NULL;
	size_t cache_bytes = (size_t)32 << 20;
	int threads = 1, i, rc = 2;

	if (argc < 2)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--cache") && i + 1 < argc)
			cache_bytes = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else
			goto usage;
	}
	if (threads < 1 || threads > 64)
		goto usage;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
	if (git_repository_open_bare(&repo, argv[1]) < 0 ||
	    git_repository_odb(&odb, repo) < 0 ||
	    git_odb_foreach(odb, collect, &ids) < 0) {
		fprintf(stderr, "pack-read: cannot list the objects of %s\n",
			argv[1]);
		goto out;
	}
	/* an object in two places is listed twice */
	qsort(ids.v, ids.n, sizeof(*ids.v), cmp_oid);
	{
		size_t k, n = 0;

		for (k = 0; k < ids.n; k++)
			if (!n || git_oid_cmp(&ids.v[n - 1], &ids.v[k]))
				ids.v[n++] = ids.v[k];
		ids.n = n;
	}

	{
		struct pack_cache *cache = pack_cache_new(cache_bytes);

		rs = calloc((size_t)threads, sizeof(*rs));
		th = calloc((size_t)threads, sizeof(*th));
		if (!rs || !th)
			goto out;
		for (i = 0; i < threads; i++) {
			rs[i].gitdir = argv[1];
			rs[i].cache = cache;
			rs[i].ids = &ids;
			rs[i].backwards = i % 2;
			if (pthread_create(&th[i], NULL, read_all, &rs[i]))
				goto out;
		}
		memset(&total, 0, sizeof(total));
		for (i = 0; i < threads; i++) {
			pthread_join(th[i], NULL);
			total.failed |= rs[i].failed;
			total.read += rs[i].read;
			total.same += rs[i].same;
			total.differ += rs[i].differ;
			total.refused += rs[i].refused;
			total.elsewhere += rs[i].elsewhere;
		}
		pack_cache_free(cache);
		free(rs);
		free(th);
	}
	if (total.failed) {
		fprintf(stderr, "pack-read: cannot set up the readers of %s\n",
			argv[1]);
		goto out;
	}
	printf("objects %zu read %zu same %zu differ %zu refused %zu "
	       "elsewhere %zu\n", ids.n, total.read, total.same,
	       total.differ, total.refused, total.elsewhere);
	rc = total.differ ? 1 : 0;
out:
	free(ids.v);
	git_odb_free(odb);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc;
usage:
	fprintf(stderr,
		"usage: pack-read GITDIR [--cache BYTES] [--threads N]\n");
	return 2;
}
