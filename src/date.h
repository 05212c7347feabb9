/*
 * date: the DATE arguments of the command line and the time formats of the
 * outputs.  All times are seconds since the epoch, UTC.
 */
#ifndef MS_DATE_H
#define MS_DATE_H

#include <stdint.h>

struct buf;

/*
 * "Now": $MIRRORSCAN_TEST_NOW (seconds since the epoch, or any DATE form
 * that does not need "now") when set, so tests get a fixed clock; else the
 * real time.
 */
int64_t date_now(void);

/*
 * Parses DATE: "YYYY-MM-DD" (00:00:00 UTC of that day), full ISO 8601
 * ("2026-02-15T12:14:16Z", "2026-02-15 12:14:16 -0800",
 * "2026-02-15T12:14:16+05:30", seconds and zone optional, no zone = UTC),
 * "@SECONDS", "now", "today" (00:00 UTC today), "yesterday",
 * "N day(s)|week(s) ago" (00:00 UTC of that day), "N hour(s)|minute(s)
 * ago" (exactly that long before now).  Leading/trailing blanks are
 * allowed, case is ignored.  Returns 0 and sets *out, or -1 (nothing
 * printed) for anything else, including impossible dates (2026-02-30).
 */
int date_parse(const char *s, int64_t now, int64_t *out);

/* Appends "2026-02-15T20:14:16Z". */
void date_format_iso(struct buf *out, int64_t t);
/* Appends "2026-02-15". */
void date_format_day(struct buf *out, int64_t t);
/* Appends "2026-02-15 20:14" (for text tables). */
void date_format_short(struct buf *out, int64_t t);
/* Start (00:00:00 UTC) of the day holding t. */
int64_t date_day_start(int64_t t);

#endif
