/* pane.h — the panes as data: each is a column table (columns.h) over the
 * rows of one row source in the view (view.h). A new pane is a new entry
 * here, a table and a row source; the layout, the drawing, the keys and
 * the config walk this table. */
#ifndef SOCKEYE_PANE_H
#define SOCKEYE_PANE_H

#include "columns.h"

/* PANE_TRENDS is never laid out beside the others: focused, it takes the
 * body. */
enum pane_id { PANE_CONNECTIONS, PANE_PROCESSES, PANE_EVENTS, PANE_TRENDS, PANE_COUNT };

struct pane_kind {
	const char *name;             /* the config file's panes list */
	const char *title;            /* its title, with the row count (%zu) */
	const char *title_grouped;    /* the same, grouped by service; NULL: title */
	const struct column_table *columns;
};

extern const struct pane_kind pane_kinds[PANE_COUNT];

/* The pane named name (case-insensitive), or -1. */
int pane_find(const char *name);

#endif
