/*
 * unit-moved: a commit's changed lines by side (src/moved.h).  A line
 * removed from one file and added to another is moved, whatever its
 * leading and trailing blanks; one in the same file, or on one side only,
 * is not (though one in the same file is "anywhere"); a blank line never
 * is; tables grow, keep at most MOVED_MAX_LINES keys a side, merge, and
 * forget on reset.
 */
#include "config.h"
#include "moved.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

static uint64_t key(const char *s)
{
	return moved_key(s, strlen(s));
}

int main(void)
{
	static const char a[] = "a.cu", b[] = "b.cu", c[] = "c.cu";
	struct moved mv, part;
	char line[64], last[64];
	int i, found;

	moved_init(&mv);
	ok(key("  off = x;\t\r") == key("off = x;"),
	   "leading and trailing blanks do not count");
	ok(key("off = x;") != key("off =  x;"), "inner blanks do");
	ok(key(" \t ") == 0 && key("") == 0, "a blank line has no key");
	ok(key("abcdefgh1") != key("abcdefgh2"), "the tail past 8 bytes counts");

	moved_add(&mv, 1, key("off = x;"), a);
	moved_add(&mv, 0, key("    off = x;"), b);
	ok(moved_elsewhere(&mv, 0, key("off = x;"), b),
	   "added to b, removed from a: moved");
	ok(moved_elsewhere(&mv, 1, key("off = x;"), a),
	   "removed from a, added to b: moved");
	ok(!moved_elsewhere(&mv, 0, key("off = x;"), a),
	   "a line of a, removed from a only: not moved");
	ok(!moved_elsewhere(&mv, 0, key("len = y;"), b),
	   "a line on one side only: not moved");
	moved_add(&mv, 1, key("len = y;"), b);
	moved_add(&mv, 1, key("len = y;"), c);
	ok(moved_elsewhere(&mv, 0, key("len = y;"), b),
	   "removed from b and c, added to b: moved");
	ok(moved_anywhere(&mv, 0, key("len = y;")),
	   "anywhere: removed from b and c, added anywhere");
	moved_add(&mv, 1, key("#include <a.h>"), a);
	ok(!moved_elsewhere(&mv, 0, key("#include <a.h>"), a) &&
	   moved_anywhere(&mv, 0, key("#include <a.h>")),
	   "removed from a, added to a: moved anywhere, not elsewhere");
	ok(!moved_anywhere(&mv, 1, key("#include <a.h>")),
	   "anywhere: a line on one side only is not moved");
	moved_add(&mv, 1, 0, a);
	moved_add(&mv, 0, 0, b);
	ok(!moved_elsewhere(&mv, 0, 0, b), "a blank line is never moved");
	ok(!moved_anywhere(&mv, 0, 0), "not even anywhere");

	moved_reset(&mv);
	ok(!moved_elsewhere(&mv, 0, key("off = x;"), b),
	   "reset forgets the lines");

	for (i = 0; i < MOVED_MAX_LINES + 100; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		moved_add(&mv, 1, key(line), a);
	}
	snprintf(last, sizeof(last), "line %d", MOVED_MAX_LINES + 50);
	moved_add(&mv, 0, key("line 5"), b);
	moved_add(&mv, 0, key(last), b);
	ok(moved_elsewhere(&mv, 0, key("line 5"), b),
	   "a side keeps its first lines");
	ok(!moved_elsewhere(&mv, 0, key(last), b),
	   "and no more than MOVED_MAX_LINES");
	for (found = 0, i = 0; i < MOVED_MAX_LINES; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		found += moved_elsewhere(&mv, 1, key(line), a) ||
			 !moved_elsewhere(&mv, 0, key(line), b);
	}
	ok(found == 1, "every kept line is found, once the tables grew");
	moved_reset(&mv);
	ok(mv.side[1].cap > 0 && mv.side[1].n == 0,
	   "a big table is kept, empty, after a big commit");
	moved_add(&mv, 1, key("small"), a);
	moved_reset(&mv);
	ok(mv.side[1].cap == 0, "and goes after a small one");
	moved_add(&mv, 0, key("kept"), a);
	ok(!moved_elsewhere(&mv, 0, key("kept"), b), "and the next one works");

	moved_init(&part);
	moved_add(&part, 1, key("kept"), c);
	moved_merge(&mv, &part);
	ok(moved_elsewhere(&mv, 0, key("kept"), a),
	   "a part's removed line moves an added one of the owner");
	ok(moved_elsewhere(&mv, 1, key("kept"), c), "and the other way");
	moved_release(&part);
	moved_release(&mv);
	return done_testing();
}
