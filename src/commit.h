/*
 * commit: what mirrorscan knows of one commit, as the scanner builds it,
 * the index stores it and the reports read it.  All strings are owned by
 * an arena (the worker's while scanning, the reader's when decoded), never
 * freed one by one.  Strings from a mirror are untrusted bytes: they may be
 * invalid UTF-8 and hold any control character, but never NUL.
 */
#ifndef MS_COMMIT_H
#define MS_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

#define OID_RAWSZ 20
#define OID_HEXSZ 40

enum commit_flags {
	COMMIT_LANDED = 1 << 0,	/* reachable from a branch or a tag */
	COMMIT_MERGE = 1 << 1,	/* more than one parent */
	COMMIT_DIFFED = 1 << 2,	/* its diff was scanned */
	COMMIT_PARTIAL = 1 << 3,	/* an object of it could not be read */
	COMMIT_DEFAULT = 1 << 4,	/* reachable from the default branch */
};

enum file_flags {
	FILE_BINARY = 1 << 0,	/* contents not scanned: binary */
	FILE_OVERSIZE = 1 << 1,	/* contents not scanned: above --max-size */
	FILE_UNREADABLE = 1 << 2,	/* a blob is missing or corrupt */
	FILE_SUBMODULE = 1 << 3,	/* a gitlink: no contents */
	FILE_SYMLINK = 1 << 4,
};

struct file_change {
	const char *path;	/* new path, or old path of a deletion */
	const char *old_path;	/* old path of a rename, else NULL */
	unsigned status;	/* one enum change_status bit */
	unsigned flags;		/* enum file_flags */
	uint32_t added, removed;	/* lines; 0 when not scanned */
};

struct match {
	const char *rule;
	const char *tags;	/* the rule's tags, space-separated, as at scan */
	const char *path;	/* NULL for a message match */
	uint32_t line;		/* 1-based; in the old file for "removed",
				   in the message for "message", 0 for "path" */
	const char *text;	/* the line (truncated), or the path */
	enum rule_side side;
};

struct commit {
	unsigned char oid[OID_RAWSZ];
	int64_t time;		/* committer time, UTC seconds */
	int64_t author_time;
	const char *author, *email;
	const char *subject;	/* first paragraph, lines joined by spaces */
	const char *body;	/* the rest of the message (may be "") */
	uint32_t pr;		/* pull request number, 0 when none */
	uint32_t nparents;
	const char *ref;	/* the ref it was first reached from, or NULL */
	unsigned flags;		/* enum commit_flags */
	uint32_t nfiles_total;	/* files changed; nfiles may be fewer */
	uint32_t nfiles;
	struct file_change *files;
	uint32_t nmatches;
	struct match *matches;
	uint32_t ntags;
	const char **tags;	/* sorted, distinct */
};

/* Limits on what one commit record keeps (why: a vendoring commit can
 * change 50k files; a minified line can be a megabyte). */
#define COMMIT_MAX_FILES 5000
#define COMMIT_MAX_MATCHES 2000
#define MATCH_TEXT_MAX 240
#define COMMIT_BODY_MAX 16384

#endif
