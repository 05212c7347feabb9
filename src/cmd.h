/*
 * cmd: one cmd_<name>() per command: parses the command's options, calls
 * the modules, returns the exit status.  Glue only.
 */
#ifndef MS_CMD_H
#define MS_CMD_H

int cmd_scan(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_repos(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_prs(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_stats(int argc, char **argv);

#endif
