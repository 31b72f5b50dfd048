/* cmdlines.h — the owners' command lines the COMMAND cells and the JSON
 * show, read through the process map and kept per process until the next
 * poll, so a screen redraw reads each at most once. */
#ifndef SOCKEYE_CMDLINES_H
#define SOCKEYE_CMDLINES_H

#include "columns.h"

struct procmap;
struct cmdlines;

/* Reads through pm (borrowed; NULL: none is ever readable). NULL on ENOMEM. */
struct cmdlines *cmdlines_new(const struct procmap *pm);
void cmdlines_free(struct cmdlines *c);
/* A new poll: command lines are read again when next asked for. */
void cmdlines_forget(struct cmdlines *c);
/* What the columns read (columns.h); valid while c is. */
const struct column_cmdlines *cmdlines_source(struct cmdlines *c);

#endif
