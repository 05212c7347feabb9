/*
 * main.c: options in, exit status out.  The commands live in cmd.c.
 */
#include "config.h"
#include "cli.h"
#include "cmd.h"
#include "mirror.h"
#include "msg.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "scan", cmd_scan },
	{ "log", cmd_log },
	{ "show", cmd_show },
	{ "repos", cmd_repos },
	{ "prs", cmd_prs },
	{ "rules", cmd_rules },
	{ "report", cmd_report },
	{ "stats", cmd_stats },
};

/* stdout may be a closed pipe (mirrorscan log | head): stay quiet then;
 * any other write error (a full disk) is an error. */
static int check_stdout(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (errno == EPIPE)
		return status;
	error("cannot write the output: %s", strerror(errno));
	return MS_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	size_t i;
	int status;

	signal(SIGPIPE, SIG_IGN);
	cli_parse(argc, argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(opt.command, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		cli_usage_error("unknown command '%s'", opt.command);
	if (mirror_init() < 0)
		return MS_EXIT_USAGE;
	status = commands[i].fn(opt.argc, opt.argv);
	mirror_shutdown();
	return check_stdout(status);
}
