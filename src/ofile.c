/*
 * ofile.c: atomic output files (see ofile.h), git's lockfile/tempfile in
 * miniature: write beside the target, rename to commit, and clean up on
 * every way out (error, exit(), a fatal signal).
 */
#include "config.h"
#include "ofile.h"
#include "buf.h"
#include "esc.h"
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The temporary file being written, for the exit and signal handlers.
 * A global because a signal handler can reach nothing else; only its
 * pointer is read there, and unlink() is async-signal-safe.
 */
static char *volatile cleanup_path;
static int handlers_set;

static void cleanup_at_exit(void)
{
	char *p = cleanup_path;

	if (p)
		unlink(p);
}

static void cleanup_on_signal(int sig)
{
	cleanup_at_exit();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handlers(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
	size_t i;

	if (handlers_set)
		return;
	handlers_set = 1;
	atexit(cleanup_at_exit);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], cleanup_on_signal);
}

/* The path for messages: escaped, as it came from the command line. */
static const char *shown(struct buf *b, const char *path)
{
	buf_reset(b);
	esc_text(b, path, strlen(path));
	return b->ptr;
}

int ofile_open(struct ofile *of, const char *path)
{
	struct buf tmp = BUF_INIT, name = BUF_INIT;
	struct stat st;
	const char *slash;
	char *real = NULL;
	int fd;

	of->fp = stdout;
	of->path = NULL;
	of->tmp = NULL;
	if (!path || !strcmp(path, "-"))
		return 0;
	if (!*path || path[strlen(path) - 1] == '/')
		return error("-o needs a file name, not '%s'",
			     shown(&name, path));
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		/* a device, a pipe (/dev/stdout): written in place; a
		 * rename would replace the node itself */
		if (S_ISDIR(st.st_mode)) {
			error("-o '%s' is a directory", shown(&name, path));
			goto fail;
		}
		of->fp = fopen(path, "w");
		if (!of->fp) {
			error("cannot open '%s': %s", shown(&name, path),
			      strerror(errno));
			goto fail;
		}
		of->path = xstrdup(path);
		buf_release(&name);
		return 0;
	}
	/* a symlink to a file: replace the file, keep the link */
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		real = realpath(path, NULL);
		if (real)
			path = real;
	}
	/* "dir/.report.md.XXXXXX": hidden, and plainly not the report */
	slash = strrchr(path, '/');
	if (slash)
		buf_add(&tmp, path, (size_t)(slash - path) + 1);
	buf_addf(&tmp, ".%s.XXXXXX", slash ? slash + 1 : path);
	set_handlers();
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		error("cannot create a temporary file beside '%s': %s",
		      shown(&name, path), strerror(errno));
		goto fail;
	}
	of->tmp = buf_detach(&tmp, NULL);
	cleanup_path = of->tmp;
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		error("cannot open '%s': %s", shown(&name, of->tmp),
		      strerror(errno));
		close(fd);
		ofile_abort(of);
		goto fail;
	}
	of->path = xstrdup(path);
	buf_release(&name);
	free(real);
	return 0;
fail:
	of->fp = NULL;
	buf_release(&tmp);
	buf_release(&name);
	free(real);
	return -1;
}

/* The mode of the file being replaced, or what a new file would get. */
static mode_t target_mode(const char *path)
{
	struct stat st;
	mode_t mask;

	if (!stat(path, &st) && S_ISREG(st.st_mode))
		return st.st_mode & 07777;
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

/* Makes the rename durable; a failure here is not worth an error: the
 * file is complete, only its name might not survive a power cut. */
static void sync_dir(const char *path)
{
	struct buf dir = BUF_INIT;
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash)
		buf_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
	else
		buf_addch(&dir, '.');
	fd = open(dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	buf_release(&dir);
}

int ofile_commit(struct ofile *of)
{
	struct buf name = BUF_INIT;
	int ret = 0, bad, err;

	if (!of->tmp) {
		if (of->fp == stdout) {
			fflush(stdout);
			return 0;
		}
		if (!of->fp)
			return 0;
		/* written in place: only the writes can fail */
		errno = 0;
		bad = fflush(of->fp) || ferror(of->fp);
		err = errno;
		if (fclose(of->fp) && !bad) {
			bad = 1;
			err = errno;
		}
		of->fp = NULL;
		if (bad)
			ret = error("cannot write '%s': %s",
				    shown(&name, of->path),
				    strerror(err ? err : EIO));
		goto out;
	}
	if (fflush(of->fp) || ferror(of->fp)) {
		ret = error("cannot write '%s': %s", shown(&name, of->path),
			    strerror(errno ? errno : EIO));
		goto out;
	}
	if (fchmod(fileno(of->fp), target_mode(of->path)) < 0 ||
	    fsync(fileno(of->fp)) < 0) {
		ret = error("cannot write '%s': %s", shown(&name, of->path),
			    strerror(errno));
		goto out;
	}
	if (fclose(of->fp)) {
		of->fp = NULL;
		ret = error("cannot write '%s': %s", shown(&name, of->path),
			    strerror(errno));
		goto out;
	}
	of->fp = NULL;
	if (rename(of->tmp, of->path) < 0) {
		struct buf target = BUF_INIT;

		ret = error("cannot rename '%s' to '%s': %s",
			    shown(&name, of->tmp), shown(&target, of->path),
			    strerror(errno));
		buf_release(&target);
		goto out;
	}
	cleanup_path = NULL;
	free(of->tmp);
	of->tmp = NULL;
	sync_dir(of->path);
out:
	buf_release(&name);
	ofile_abort(of);
	return ret;
}

void ofile_abort(struct ofile *of)
{
	if (of->fp && of->fp != stdout)
		fclose(of->fp);
	of->fp = NULL;
	if (of->tmp) {
		unlink(of->tmp);
		cleanup_path = NULL;
		free(of->tmp);
		of->tmp = NULL;
	}
	free(of->path);
	of->path = NULL;
}
