/*
 * dirlist: the names in a directory, sorted, for the places that walk
 * one (a directory of mirrors, of rule files, of pack files), so that
 * what they find never depends on the order readdir() returns.
 */
#ifndef MS_DIRLIST_H
#define MS_DIRLIST_H

#include <stddef.h>

/*
 * The names in dir that keep() accepts (every name but "." and ".."
 * when keep is NULL), sorted by strcmp(), in *names (n of them).  0, or
 * -1 with errno set when dir cannot be read.  dirlist_free() frees them.
 */
int dirlist(const char *dir, int (*keep)(const char *name), char ***names,
	    size_t *n);
void dirlist_free(char **names, size_t n);

#endif
