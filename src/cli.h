/*
 * cli: the command line.  cli_parse() reads the global options, resolves
 * them against the environment once ($MIRRORSCAN_DB, $XDG_CACHE_HOME,
 * $HOME, $MIRRORSCAN_RULES_DIR, the terminal, NO_COLOR, TERM) into struct
 * options, and leaves the command and its arguments for cmd.c.  The
 * resolved options are the one global of mirrorscan besides msg.c's state.
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <stddef.h>

struct options {
	const char *db;			/* the index directory; NULL when
				   nothing says where it is */
	const char **rules;		/* --rules paths, in order */
	size_t nrules;
	int no_default_rules;
	const char *default_rules;	/* the default pack's directory */
	int quiet;
	int color;			/* stdout is a tty, no NO_COLOR/dumb */
	const char *command;
	int argc;			/* the command's arguments, argv[0] */
	char **argv;			/* being the command name */
};

extern struct options opt;

/* Parses argv into opt; prints help or version and exits, or dies with
 * a usage error (exit 2). */
void cli_parse(int argc, char **argv);
/* A usage error: one line, then "see 'mirrorscan --help'"; exit 2. */
__attribute__((noreturn)) void cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* Prints a command's usage (cmd NULL: everything) to stdout. */
void cli_help(const char *cmd);
/* The rule paths to load: the default pack (unless --no-default-rules)
 * and each --rules. */
void cli_rule_paths(const char ***paths, size_t *n);

#endif
