/* settings.h — the settings the command line and the config file share. */
#ifndef SOCKEYE_SETTINGS_H
#define SOCKEYE_SETTINGS_H

#include <stddef.h>
#include "options.h"

/* Setters the command line and the config file share; what names the
 * setting in err ("--interval" or "file:3: interval"). 0 or -1. */
int settings_set_interval(struct options *o, const char *what, const char *s,
                          char *err, size_t errlen);
int settings_set_linger(struct options *o, const char *what, const char *s,
                        char *err, size_t errlen);
int settings_set_sort(struct options *o, const char *what, const char *s,
                      char *err, size_t errlen);
int settings_set_theme(struct options *o, const char *what, const char *s,
                       char *err, size_t errlen);

#endif
