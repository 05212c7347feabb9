/*
 * cli.c: global options, help and version (see cli.h).  Each command's
 * own options are parsed in cmd.c, with the same getopt_long conventions:
 * GNU option permutation, "--" ends options.
 */
#include "config.h"
#include "cli.h"
#include "buf.h"
#include "mirror.h"
#include "pack.h"
#include "msg.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "rules.h"

struct options opt;

static const char usage_text[] =
"usage: mirrorscan [--db PATH] [--rules PATH]... [--no-default-rules]\n"
"                  [--quiet] COMMAND [ARGS]\n"
"\n"
"Analyses local git mirrors offline: tags each commit's diff with rules,\n"
"keeps the results in an index, and answers queries from it.\n"
"\n"
"Commands:\n"
"  scan [--jobs N] [--refs GLOB]... [--since DATE] [--merges]\n"
"       [--max-size BYTES] MIRROR...\n"
"      index the commits of each MIRROR (a repository, bare or not, a\n"
"      directory of them, or NAME=PATH) that the index does not hold yet\n"
"  log [--tag TAG]... [--rule ID] [--repo NAME]... [--path REGEX]\n"
"      [--author TEXT] [--since DATE] [--until DATE] [--landed|--proposed]\n"
"      [--format text|json|ndjson|csv]\n"
"      list indexed commits, newest first; exit 1 when none match\n"
"  report [--since DATE] [--until DATE] [--repo NAME]... [--tag TAG]...\n"
"      [--format md|json|ndjson|csv|sarif|html] [--lang en|zh] [-o FILE]\n"
"      the digest of a window (default: yesterday, UTC): every repository,\n"
"      its landed commits with tags and evidence, pull-request activity\n"
"  stats [--by day|week|month] [--tag TAG]... [--repo NAME]...\n"
"      [--since DATE] [--until DATE] [--format text|csv|json]\n"
"      landed commits counted per period and tag\n"
"  show [--repo NAME] [--format text|json] COMMIT\n"
"      one commit: metadata, files, and every match with its line\n"
"  repos [--format text|json]\n"
"      the mirrors in the index, their tips and last scan\n"
"  prs [--repo NAME]... [--state open|merged|closed|all] [--tag TAG]...\n"
"      [--since DATE] [--format text|json|ndjson]\n"
"      pull requests from refs/pull/*, newest first; exit 1 when none\n"
"  rules list | check [FILE...] | test [FILE...]\n"
"      list the rules, check rule files, or run their examples\n"
"\n"
"Global options:\n"
"  --db PATH           the index directory (default $MIRRORSCAN_DB, else\n"
"                      $XDG_CACHE_HOME/mirrorscan, ~/.cache/mirrorscan)\n"
"  --rules PATH        add a rule file or a directory of *.rules files\n"
"  --no-default-rules  do not load the default rule pack\n"
"  -q, --quiet         no progress or summaries on stderr\n"
"  -h, --help          this help; 'mirrorscan COMMAND --help' for one\n"
"  -V, --version       versions of mirrorscan and its libraries\n"
"\n"
"DATE is YYYY-MM-DD, ISO 8601, today, yesterday, or 'N days ago' (UTC).\n"
"Exit status: 0 success, 1 nothing found (log, prs), 2 usage or input\n"
"error, 3 finished but something could not be read.  See mirrorscan(1).\n";

void cli_help(const char *cmd)
{
	const char *p, *start, *end;
	size_t len;

	if (!cmd) {
		fputs(usage_text, stdout);
		return;
	}
	/* a command's part of the usage text: from its line to the next */
	len = strlen(cmd);
	for (p = strstr(usage_text, "\n  "); p; p = strstr(p + 1, "\n  ")) {
		if (strncmp(p + 3, cmd, len) || p[3 + len] != ' ')
			continue;
		start = p + 1;
		end = strstr(start, "\n  ");
		while (end && end[3] == ' ')
			end = strstr(end + 1, "\n  ");
		if (!end || end > strstr(start, "\n\n"))
			end = strstr(start, "\n\n");
		printf("usage: mirrorscan %.*s\n", (int)(end - start - 2),
		       start + 2);
		return;
	}
	fputs(usage_text, stdout);
}

void cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mirrorscan: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nsee 'mirrorscan --help'\n", stderr);
	exit(MS_EXIT_USAGE);
}

static void print_version(void)
{
	struct buf b = BUF_INIT;

	mirror_version(&b);
	buf_addstr(&b, ", ");
	pack_version(&b);
	buf_addstr(&b, ", ");
	rules_version(&b);
	buf_addstr(&b, ", ");
	index_version(&b);
	printf("mirrorscan %s\n%s\n", PACKAGE_VERSION, b.ptr);
	buf_release(&b);
}

static const char *resolve_db(void)
{
	const char *e = getenv("MIRRORSCAN_DB");
	static struct buf path = BUF_INIT;

	if (e && *e)
		return e;
	e = getenv("XDG_CACHE_HOME");
	if (e && *e == '/') {
		buf_addf(&path, "%s/mirrorscan", e);
		return path.ptr;
	}
	e = getenv("HOME");
	if (!e || !*e)
		return NULL;	/* only commands that open the index care */
	buf_addf(&path, "%s/.cache/mirrorscan", e);
	return path.ptr;
}

/*
 * The default pack: $MIRRORSCAN_RULES_DIR, else the source tree's rules/
 * when this binary runs from its build tree (so ./mirrorscan works right
 * after make), else the installed $(pkgdatadir)/rules.
 */
static const char *resolve_rules_dir(void)
{
	const char *e = getenv("MIRRORSCAN_RULES_DIR");
	static char exe[4096];
	ssize_t n;

	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (!strcmp(exe, MS_BUILDDIR))
				return MS_SRCDIR "/rules";
		}
	}
	return MS_PKGDATADIR "/rules";
}

void cli_rule_paths(const char ***paths, size_t *n)
{
	size_t i, k = 0;

	*paths = xcalloc(opt.nrules + 2, sizeof(**paths));
	if (!opt.no_default_rules)
		(*paths)[k++] = opt.default_rules;
	for (i = 0; i < opt.nrules; i++)
		(*paths)[k++] = opt.rules[i];
	*n = k;
}

void cli_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "rules", required_argument, NULL, 'r' },
		{ "no-default-rules", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t alloc = 0;
	const char *term = getenv("TERM");
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			opt.db = optarg;
			break;
		case 'r':
			ALLOC_GROW(opt.rules, opt.nrules + 1, alloc);
			opt.rules[opt.nrules++] = optarg;
			break;
		case 'N':
			opt.no_default_rules = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			cli_help(NULL);
			exit(0);
		case 'V':
			print_version();
			exit(0);
		case ':':
			cli_usage_error("option '%s' needs a value",
					argv[optind - 1]);
		default:
			cli_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_usage_error("no command given");
	opt.command = argv[optind];
	opt.argc = argc - optind;
	opt.argv = argv + optind;
	if (opt.db && !*opt.db)
		cli_usage_error("--db needs a path");
	if (!opt.db)
		opt.db = resolve_db();
	opt.default_rules = resolve_rules_dir();
	opt.color = isatty(1) && !getenv("NO_COLOR") &&
		    !(term && !strcmp(term, "dumb"));
	msg_setup(opt.quiet);
}
