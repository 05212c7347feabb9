/*
 * stats: `mirrorscan stats`, the landed commits of the index counted per
 * period (day, ISO week, month) and per tag, for questions like "when did
 * this repository start targeting SM120".  Reads the index only, by time
 * key range per repository; writes text, csv or json.
 */
#ifndef MS_STATS_H
#define MS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "query.h"

struct index;

enum stats_by { STATS_DAY, STATS_WEEK, STATS_MONTH };

struct stats_opts {
	enum stats_by by;
	const char **tags;	/* the columns; none: every tag counted */
	size_t ntags;
	const char **repos;	/* only these (each must be in the index) */
	size_t nrepos;
	int64_t since, until;	/* INT64_MIN / INT64_MAX when not given */
	enum out_format fmt;	/* FMT_TEXT, FMT_CSV or FMT_JSON */
};

/* "day" etc., or -1. */
int stats_by_parse(const char *s);

/* Writes the table; 0, or -1 after reporting (an index error, a --repo
 * not in the index, output that could not be written). */
int stats_run(struct index *idx, const struct stats_opts *o, FILE *out);

#endif
