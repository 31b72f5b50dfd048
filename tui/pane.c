/* pane.c — the table of panes. */
#include "config.h"

#include <strings.h>

#include "pane.h"

const struct pane_kind pane_kinds[PANE_COUNT] = {
	[PANE_CONNECTIONS] = { "connections", " Connections  %zu rows", NULL, &columns_connections },
	[PANE_PROCESSES] = { "processes", " Processes  %zu", " Services  %zu", &columns_processes },
	[PANE_EVENTS] = { "events", " Events  %zu", NULL, &columns_events },
	[PANE_TRENDS] = { "trends", " Trends  last 10 min, a sample a poll  %zu series", NULL,
	                  &columns_trends },
};

int pane_find(const char *name)
{
	for (int i = 0; i < PANE_COUNT; i++)
		if (strcasecmp(pane_kinds[i].name, name) == 0)
			return i;
	return -1;
}
