/*
 * cmd.c: the commands (see cmd.h).  Each parses its own options with
 * getopt_long, loads what it needs, and maps outcomes to exit statuses:
 * 0 done, 1 nothing found (log, show), 2 usage or input error, 3 partial.
 */
#include "config.h"
#include "cmd.h"
#include "buf.h"
#include "cli.h"
#include "date.h"
#include "esc.h"
#include "index.h"
#include "mirror.h"
#include "msg.h"
#include "ofile.h"
#include "prs.h"
#include "query.h"
#include "report.h"
#include "rules.h"
#include "scan.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_SIZE ((size_t)2 << 20)

/* Shared option loop: "-h/--help" prints the command's usage. */
static int next_opt(int argc, char **argv, const struct option *longopts,
		    const char *cmd)
{
	int c = getopt_long(argc, argv, "+h", longopts, NULL);

	if (c == 'h') {
		cli_help(cmd);
		exit(0);
	}
	if (c == '?' || c == ':')
		cli_usage_error("%s: unknown option or missing value '%s'",
				cmd, argv[optind - 1]);
	return c;
}

/* next_opt() for a command that has short options besides -h. */
static int next_opt_short(int argc, char **argv, const char *shortopts,
			  const struct option *longopts, const char *cmd)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	if (c == 'h') {
		cli_help(cmd);
		exit(0);
	}
	if (c == '?' || c == ':')
		cli_usage_error("%s: unknown option or missing value '%s'",
				cmd, argv[optind - 1]);
	return c;
}

static void reset_getopt(void)
{
	optind = 0;	/* 0: glibc reinitialises */
	opterr = 0;
}

static int64_t parse_date(const char *cmd, const char *what, const char *s)
{
	int64_t t;

	if (date_parse(s, date_now(), &t) < 0)
		cli_usage_error("%s: bad %s date '%s' (YYYY-MM-DD, ISO 8601, "
				"today, yesterday, 'N days ago')", cmd, what, s);
	return t;
}

static long parse_number(const char *cmd, const char *what, const char *s,
			 long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		cli_usage_error("%s: %s must be a number from %ld to %ld, not "
				"'%s'", cmd, what, min, max, s);
	return v;
}

static int load_rules(struct rules *rules)
{
	const char **paths;
	size_t n;
	int ret;

	cli_rule_paths(&paths, &n);
	ret = rules_load(rules, paths, n);
	free(paths);
	return ret;
}

static int open_index(struct index **idx, int write)
{
	if (!opt.db)
		return error("cannot find the index: give --db, or set "
			     "$MIRRORSCAN_DB or $HOME");
	return index_open(idx, opt.db, write ? INDEX_WRITE : INDEX_READ);
}

/* ---- scan -------------------------------------------------------- */

int cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "refs", required_argument, NULL, 'R' },
		{ "since", required_argument, NULL, 's' },
		{ "merges", no_argument, NULL, 'm' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct scan_opts so = { 0 };
	struct mirror_spec *specs = NULL;
	const char **refs = NULL;
	size_t nspecs = 0, salloc = 0, ralloc = 0, i;
	struct rules rules = { 0 };
	struct index *idx = NULL;
	int c, ret = MS_EXIT_USAGE;

	so.jobs = 2;
	so.max_size = DEFAULT_MAX_SIZE;
	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "scan")) != -1) {
		switch (c) {
		case 'j':
			so.jobs = (int)parse_number("scan", "--jobs", optarg,
						    1, 256);
			break;
		case 'R':
			ALLOC_GROW(refs, so.nrefs + 1, ralloc);
			refs[so.nrefs++] = optarg;
			break;
		case 's':
			so.since = parse_date("scan", "--since", optarg);
			break;
		case 'm':
			so.merges = 1;
			break;
		case 'M':
			so.max_size = (size_t)parse_number("scan", "--max-size",
							   optarg, 1,
							   1L << 30);
			break;
		}
	}
	so.refs = refs;
	if (optind >= argc)
		cli_usage_error("scan: no MIRROR given");
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (mirror_find(argv[i], &specs, &nspecs, &salloc) < 0)
			goto out;
	if (load_rules(&rules) < 0)
		goto out;
	if (open_index(&idx, 1) < 0 || index_lock(idx) < 0)
		goto out;
	if (scan_run(idx, &rules, specs, nspecs, &so) < 0)
		goto out;
	ret = msg_partial_seen() ? MS_EXIT_PARTIAL : MS_EXIT_OK;
out:
	index_close(idx);
	rules_release(&rules);
	for (i = 0; i < nspecs; i++)
		mirror_spec_release(&specs[i]);
	free(specs);
	free(refs);
	return ret;
}

/* ---- log --------------------------------------------------------- */

int cmd_log(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "tag", required_argument, NULL, 't' },
		{ "rule", required_argument, NULL, 'r' },
		{ "repo", required_argument, NULL, 'R' },
		{ "path", required_argument, NULL, 'p' },
		{ "author", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "landed", no_argument, NULL, 'L' },
		{ "proposed", no_argument, NULL, 'P' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct log_filter f;
	struct rules none = { 0 };
	struct rule_regex *path = NULL;
	const char *path_arg = NULL;
	struct index *idx = NULL;
	size_t talloc = 0, ralloc = 0, count = 0;
	int fmt = FMT_TEXT, c, ret = MS_EXIT_USAGE;

	memset(&f, 0, sizeof(f));
	f.since = INT64_MIN;
	f.until = INT64_MAX;
	f.landed = -1;
	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "log")) != -1) {
		switch (c) {
		case 't':
			ALLOC_GROW(f.tags, f.ntags + 1, talloc);
			f.tags[f.ntags++] = optarg;
			break;
		case 'r':
			f.rule = optarg;
			break;
		case 'R':
			ALLOC_GROW(f.repos, f.nrepos + 1, ralloc);
			f.repos[f.nrepos++] = optarg;
			break;
		case 'p':
			path_arg = optarg;
			break;
		case 'a':
			f.author = optarg;
			break;
		case 's':
			f.since = parse_date("log", "--since", optarg);
			break;
		case 'u':
			f.until = parse_date("log", "--until", optarg);
			break;
		case 'L':
			f.landed = 1;
			break;
		case 'P':
			f.landed = 0;
			break;
		case 'f':
			fmt = query_format(optarg, 0xf);
			if (fmt < 0)
				cli_usage_error("log: unknown --format '%s' "
						"(text, json, ndjson, csv)",
						optarg);
			break;
		}
	}
	if (optind < argc)
		cli_usage_error("log: unexpected argument '%s'", argv[optind]);
	if (path_arg && !(path = rules_pattern_new(path_arg, "--path")))
		goto out;
	f.path = path;
	f.rm = rules_matcher_new(&none);
	if (open_index(&idx, 0) < 0)
		goto out;
	if (query_log(idx, &f, (enum out_format)fmt, opt.color, stdout,
		      &count) < 0)
		goto out;
	ret = count ? MS_EXIT_OK : MS_EXIT_NONE;
out:
	index_close(idx);
	rules_matcher_free(f.rm);
	rules_pattern_free(path);
	free(f.tags);
	free(f.repos);
	return ret;
}

/* ---- show, repos ------------------------------------------------- */

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'R' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *repo = NULL;
	struct index *idx = NULL;
	int fmt = FMT_TEXT, c, rc, ret = MS_EXIT_USAGE;

	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "show")) != -1) {
		if (c == 'R')
			repo = optarg;
		else if (c == 'f' &&
			 (fmt = query_format(optarg, 0x3)) < 0)
			cli_usage_error("show: unknown --format '%s' (text, "
					"json)", optarg);
	}
	if (optind != argc - 1)
		cli_usage_error("show: give exactly one COMMIT");
	if (open_index(&idx, 0) < 0)
		goto out;
	rc = query_show(idx, repo, argv[optind], (enum out_format)fmt,
			opt.color, stdout);
	ret = rc < 0 ? MS_EXIT_USAGE : rc ? MS_EXIT_NONE : MS_EXIT_OK;
out:
	index_close(idx);
	return ret;
}

int cmd_repos(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct index *idx = NULL;
	int fmt = FMT_TEXT, c, ret = MS_EXIT_USAGE;

	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "repos")) != -1)
		if (c == 'f' && (fmt = query_format(optarg, 0x3)) < 0)
			cli_usage_error("repos: unknown --format '%s' (text, "
					"json)", optarg);
	if (optind < argc)
		cli_usage_error("repos: unexpected argument '%s'",
				argv[optind]);
	if (open_index(&idx, 0) < 0)
		goto out;
	if (query_repos(idx, (enum out_format)fmt, stdout) == 0)
		ret = MS_EXIT_OK;
out:
	index_close(idx);
	return ret;
}

/* ---- prs --------------------------------------------------------- */

int cmd_prs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repo", required_argument, NULL, 'R' },
		{ "state", required_argument, NULL, 'S' },
		{ "tag", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct prs_filter f;
	struct index *idx = NULL;
	size_t talloc = 0, ralloc = 0, count = 0;
	int fmt = FMT_TEXT, c, ret = MS_EXIT_USAGE;

	memset(&f, 0, sizeof(f));
	f.state = -1;
	f.since = INT64_MIN;
	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "prs")) != -1) {
		switch (c) {
		case 'R':
			ALLOC_GROW(f.repos, f.nrepos + 1, ralloc);
			f.repos[f.nrepos++] = optarg;
			break;
		case 'S':
			f.state = strcmp(optarg, "all") ? prs_state_parse(optarg)
							 : -1;
			if (f.state < 0 && strcmp(optarg, "all"))
				cli_usage_error("prs: unknown --state '%s' "
						"(open, merged, closed, all)",
						optarg);
			break;
		case 't':
			ALLOC_GROW(f.tags, f.ntags + 1, talloc);
			f.tags[f.ntags++] = optarg;
			break;
		case 's':
			f.since = parse_date("prs", "--since", optarg);
			break;
		case 'f':
			fmt = query_format(optarg, 0x7);
			if (fmt < 0)
				cli_usage_error("prs: unknown --format '%s' "
						"(text, json, ndjson)", optarg);
			break;
		}
	}
	if (optind < argc)
		cli_usage_error("prs: unexpected argument '%s'", argv[optind]);
	if (open_index(&idx, 0) < 0)
		goto out;
	if (prs_query(idx, &f, (enum out_format)fmt, opt.color, stdout,
		      &count) < 0)
		goto out;
	ret = count ? MS_EXIT_OK : MS_EXIT_NONE;
out:
	index_close(idx);
	free(f.tags);
	free(f.repos);
	return ret;
}

/* ---- rules ------------------------------------------------------- */

static void rules_list(const struct rules *r)
{
	size_t i, k;

	for (i = 0; i < r->nrules; i++) {
		const struct rule *ru = &r->rule[i];

		printf("%s\t", ru->id);
		for (k = 0; k < ru->ntags; k++)
			printf("%s%s", k ? " " : "", ru->tags[k]);
		printf("\t%s\t%s:%u\n", ru->describe, ru->file, ru->line);
	}
}

int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rules rules = { 0 };
	const char *sub;
	int ret = MS_EXIT_USAGE;

	reset_getopt();
	while (next_opt(argc, argv, longopts, "rules") != -1)
		;
	if (optind >= argc)
		cli_usage_error("rules: give list, check or test");
	sub = argv[optind++];
	if (strcmp(sub, "list") && strcmp(sub, "check") && strcmp(sub, "test"))
		cli_usage_error("rules: unknown subcommand '%s' (list, check, "
				"test)", sub);
	if (!strcmp(sub, "list") && optind < argc)
		cli_usage_error("rules list: unexpected argument '%s'",
				argv[optind]);
	if (optind < argc) {
		if (rules_load(&rules, (const char *const *)argv + optind,
			       (size_t)(argc - optind)) < 0)
			goto out;
	} else if (load_rules(&rules) < 0) {
		goto out;
	}
	if (!strcmp(sub, "list")) {
		rules_list(&rules);
	} else if (!strcmp(sub, "check")) {
		if (!opt.quiet)
			fprintf(stderr, "mirrorscan: %zu rules, %zu keywords: "
				"ok\n", rules.nrules, rules.nkeywords);
	} else {
		size_t failed = rules_test(&rules, stdout);

		if (failed)
			goto out;
		if (!opt.quiet)
			fprintf(stderr, "mirrorscan: %zu rules: every example "
				"and counterexample holds\n", rules.nrules);
	}
	ret = MS_EXIT_OK;
out:
	rules_release(&rules);
	return ret;
}

/* ---- report, stats ----------------------------------------------- */

#define DAY_SECS 86400

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "repo", required_argument, NULL, 'R' },
		{ "tag", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "lang", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct report_format *fmt = &report_md;
	struct report_opts ro;
	struct report r;
	struct rules rules = { 0 };
	struct ofile of = OFILE_INIT;
	struct index *idx = NULL;
	const char *output = NULL;
	size_t talloc = 0, ralloc = 0;
	int have_since = 0, have_until = 0, c, ret = MS_EXIT_USAGE;
	int64_t now = date_now();

	memset(&ro, 0, sizeof(ro));
	memset(&r, 0, sizeof(r));
	reset_getopt();
	while ((c = next_opt_short(argc, argv, "+ho:", longopts,
				   "report")) != -1) {
		switch (c) {
		case 's':
			ro.since = parse_date("report", "--since", optarg);
			have_since = 1;
			break;
		case 'u':
			ro.until = parse_date("report", "--until", optarg);
			have_until = 1;
			break;
		case 'R':
			ALLOC_GROW(ro.repos, ro.nrepos + 1, ralloc);
			ro.repos[ro.nrepos++] = optarg;
			break;
		case 't':
			ALLOC_GROW(ro.tags, ro.ntags + 1, talloc);
			ro.tags[ro.ntags++] = optarg;
			break;
		case 'f':
			fmt = report_format_find(optarg);
			if (!fmt)
				cli_usage_error("report: unknown --format '%s' "
						"(%s)", optarg,
						report_format_names());
			break;
		case 'l':
			if (!strcmp(optarg, "en"))
				ro.lang = REPORT_EN;
			else if (!strcmp(optarg, "zh"))
				ro.lang = REPORT_ZH;
			else
				cli_usage_error("report: unknown --lang '%s' "
						"(en, zh)", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	if (optind < argc)
		cli_usage_error("report: unexpected argument '%s'",
				argv[optind]);
	/* no window: yesterday (UTC), the daily digest; one bound: the day
	 * before --until, or from --since up to now */
	if (!have_since && !have_until) {
		ro.until = date_day_start(now);
		ro.since = ro.until - DAY_SECS;
	} else if (!have_until) {
		ro.until = now;
	} else if (!have_since) {
		ro.since = ro.until - DAY_SECS;
	}
	if (ro.since >= ro.until)
		cli_usage_error("report: the window is empty: --since must be "
				"before --until%s", have_until ? "" :
				" (which is now)");
	if ((fmt->flags & REPORT_RULES) && load_rules(&rules) < 0)
		goto out;
	if (open_index(&idx, 0) < 0)
		goto out;
	if (report_load(&r, idx, &ro) < 0)
		goto out;
	r.rules = (fmt->flags & REPORT_RULES) ? &rules : NULL;
	if (ofile_open(&of, output) < 0)
		goto out;
	if (fmt->write(&r, of.fp) < 0 && of.tmp) {
		struct buf name = BUF_INIT;

		esc_text(&name, output, strlen(output));
		error("cannot write '%s': %s", name.ptr, strerror(errno));
		buf_release(&name);
		goto out;
	}
	if (ofile_commit(&of) < 0)
		goto out;
	ret = MS_EXIT_OK;	/* stdout is checked by main() */
out:
	ofile_abort(&of);
	report_release(&r);
	index_close(idx);
	rules_release(&rules);
	free(ro.repos);
	free(ro.tags);
	return ret;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, 'b' },
		{ "tag", required_argument, NULL, 't' },
		{ "repo", required_argument, NULL, 'R' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_opts so;
	struct index *idx = NULL;
	size_t talloc = 0, ralloc = 0;
	int c, fmt, by, ret = MS_EXIT_USAGE;

	memset(&so, 0, sizeof(so));
	so.by = STATS_MONTH;
	so.since = INT64_MIN;
	so.until = INT64_MAX;
	so.fmt = FMT_TEXT;
	reset_getopt();
	while ((c = next_opt(argc, argv, longopts, "stats")) != -1) {
		switch (c) {
		case 'b':
			by = stats_by_parse(optarg);
			if (by < 0)
				cli_usage_error("stats: unknown --by '%s' (day, "
						"week, month)", optarg);
			so.by = (enum stats_by)by;
			break;
		case 't':
			ALLOC_GROW(so.tags, so.ntags + 1, talloc);
			so.tags[so.ntags++] = optarg;
			break;
		case 'R':
			ALLOC_GROW(so.repos, so.nrepos + 1, ralloc);
			so.repos[so.nrepos++] = optarg;
			break;
		case 's':
			so.since = parse_date("stats", "--since", optarg);
			break;
		case 'u':
			so.until = parse_date("stats", "--until", optarg);
			break;
		case 'f':
			/* bits of query_format(): text, json, csv */
			fmt = query_format(optarg, 0xb);
			if (fmt < 0)
				cli_usage_error("stats: unknown --format '%s' "
						"(text, csv, json)", optarg);
			so.fmt = (enum out_format)fmt;
			break;
		}
	}
	if (optind < argc)
		cli_usage_error("stats: unexpected argument '%s'",
				argv[optind]);
	if (so.since >= so.until)
		cli_usage_error("stats: --since must be before --until");
	if (open_index(&idx, 0) < 0)
		goto out;
	/* a failed stdout is main()'s to judge (quiet on a closed pipe) */
	if (stats_run(idx, &so, stdout) == 0 || ferror(stdout))
		ret = MS_EXIT_OK;
out:
	index_close(idx);
	free(so.tags);
	free(so.repos);
	return ret;
}
