/* config_file.h — the config file ($XDG_CONFIG_HOME/sockeye/config): its
 * settings read into struct options beneath the command line, and the
 * screen's settings written back, keeping every other line of the file.
 * (Not config.h: that name is autoconf's, included first everywhere.) */
#ifndef SOCKEYE_CONFIG_FILE_H
#define SOCKEYE_CONFIG_FILE_H

#include <stddef.h>
#include "options.h"

/* inih reads lines of at most 199 bytes; longer ones are refused, and a
 * value that would not fit is not saved. */
#define CONFIG_FILE_MAX_LINE 199

/* The default file: $XDG_CONFIG_HOME/sockeye/config when that is an
 * absolute path (the XDG rule), else ~/.config/sockeye/config. Sets *path
 * (owned by the caller; NULL when out of memory) and returns 0, or -1 when
 * there is no home directory to find. */
int config_file_default_path(char **path);

/* Applies path's settings to o. A missing file is fine unless must_exist;
 * a bad line is an error naming the file, the line and the word:
 * "/home/a/.config/sockeye/config:3: interval: 'fast' is not a number of
 * seconds". Returns 0 or -1 with err set; o may be partly set on error. */
int config_file_load(struct options *o, const char *path, int must_exist,
                     char *err, size_t errlen);

/* What the screen saves (the W key). */
struct config_file_settings {
	double interval, linger;
	const char *theme;            /* NULL: the file's theme line stays as is */
	const char *sort;             /* "rtt:desc", "" for none (each pane) */
	const char *sort_processes;
	const char *sort_events;
	const char *filter;           /* the filter in force, "" for none */
	unsigned long columns;        /* as struct options: 0 the default set */
	unsigned panes;               /* as struct options: 0 all three */
	int resolve;                  /* host names shown */
	int mouse;                    /* clicks are sockeye's */
};

/* Writes s into path: a line of a setting s holds is rewritten in place
 * (a repeat of it dropped), settings the file lacks are appended, and
 * every other line (comments, blank lines, read-only) is kept as it was.
 * The directory is created if needed; the file is replaced atomically
 * (a temporary file beside it, then rename), through a symbolic link to
 * its target. Returns 0, or -1 with err set and the file untouched. */
int config_file_save(const char *path, const struct config_file_settings *s,
                     char *err, size_t errlen);

/* Comma lists of names, as the file writes them. */
void config_file_columns_str(unsigned long columns, char *buf, size_t len);
void config_file_panes_str(unsigned panes, char *buf, size_t len);

#endif
