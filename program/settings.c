/* settings.c — the settings the command line and the config file share,
 * each checked one way whichever of the two gives it. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "settings.h"
#include "theme.h"

int settings_set_interval(struct options *o, const char *what, const char *s,
                          char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v)) {
		snprintf(err, errlen, "%s: '%s' is not a number of seconds", what, s);
		return -1;
	}
	if (v < 0.1 || v > 3600) {
		snprintf(err, errlen, "%s: %s is out of range (0.1 to 3600 seconds)", what, s);
		return -1;
	}
	o->interval = v;
	return 0;
}

int settings_set_linger(struct options *o, const char *what, const char *s,
                        char *err, size_t errlen)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 3600) {
		snprintf(err, errlen, "%s: '%s' is not a number of seconds from 0 to 3600", what, s);
		return -1;
	}
	o->linger = v;
	return 0;
}

int settings_set_sort(struct options *o, const char *what, const char *s,
                      char *err, size_t errlen)
{
	free(o->sort_buf);
	o->sort_buf = strdup(s);
	if (!o->sort_buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char *colon = strchr(o->sort_buf, ':');
	o->sort_desc = 0;
	if (colon) {
		*colon = '\0';
		if (strcmp(colon + 1, "desc") == 0)
			o->sort_desc = 1;
		else if (strcmp(colon + 1, "asc") != 0) {
			snprintf(err, errlen, "%s: unknown order '%s' (use :asc or :desc)", what,
			         colon + 1);
			return -1;
		}
	}
	if (!columns_find(o->sort_buf)) {
		char cols[256];
		columns_list(cols, sizeof(cols));
		snprintf(err, errlen, "%s: unknown column '%s' (one of: %s)", what, o->sort_buf, cols);
		return -1;
	}
	o->sort = o->sort_buf;
	return 0;
}

/* The theme is loaded while parsing, in every mode, so a missing or broken
 * theme file is a usage error before anything is drawn or printed. */
int settings_set_theme(struct options *o, const char *what, const char *name,
                       char *err, size_t errlen)
{
	char why[512];
	free(o->theme_buf);
	o->theme = o->theme_buf = strdup(name);
	if (!o->theme_buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (theme_load_named(name, &o->theme_data, why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "%s: %s", what, why);
	return -1;
}
