/*
 * ofile: the -o FILE of the report commands, written atomically.  The
 * output goes to a temporary file made with mkstemp() beside FILE (same
 * directory, so the rename cannot cross file systems); ofile_commit()
 * flushes it, fsyncs it, gives it FILE's mode (or 0666 less the umask for
 * a new file) and renames it over FILE, so a reader of FILE sees the old
 * report or the new one, never half of one.  Any failure, and a signal
 * that ends the process in between, removes the temporary file.  A FILE
 * that is a symbolic link to a file has that file replaced (the link
 * stays); a FILE that exists and is not a regular file (a device, a pipe,
 * /dev/stdout) is written in place, as a rename would replace the node.
 *
 * Calling order: ofile_open(), write to of->fp, then ofile_commit() or
 * ofile_abort() (both close of->fp; ofile_abort() on a committed or never
 * opened ofile does nothing).  With no FILE (NULL or "-"), of->fp is
 * stdout and both only flush: main() checks stdout at exit.
 *
 * One ofile at a time per process: the signal handler knows one path.
 */
#ifndef MS_OFILE_H
#define MS_OFILE_H

#include <stdio.h>

struct ofile {
	FILE *fp;		/* where to write */
	char *path;		/* FILE, or NULL for stdout */
	char *tmp;		/* the temporary file while open, else NULL
				   (also when FILE is written in place) */
};

#define OFILE_INIT { NULL, NULL, NULL }

/* 0, or -1 after reporting (the directory is missing or not writable). */
int ofile_open(struct ofile *of, const char *path);
/* 0, or -1 after reporting (a write, fsync or rename failed); either way
 * the temporary file is gone and of->fp is closed. */
int ofile_commit(struct ofile *of);
void ofile_abort(struct ofile *of);

#endif
