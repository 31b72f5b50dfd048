/* details.h — the details view's content: every field of one socket, each
 * owner with its full command line, and TCP details when known, as
 * label/value lines already made safe for the terminal. No ncurses. */
#ifndef SOCKEYE_DETAILS_H
#define SOCKEYE_DETAILS_H

#include <stddef.h>
#include <stdint.h>
#include "ports.h"
#include "series.h"
#include "procmap.h"
#include "sock.h"

struct column_cmdlines;   /* columns.h */

#define DETAILS_VALUE_MAX 1024

struct details_line {
	char label[24];             /* "" for a continuation or a blank line */
	char value[DETAILS_VALUE_MAX];
};

struct details {
	struct details_line *lines;
	size_t n, cap;
};

/* What the view knows about the socket besides its record. */
struct details_source {
	const struct sock_rec *rec;
	const struct sock_owner *owners;
	size_t nowners;
	const struct sock_owner *owners_was;   /* who held it, once no process does */
	size_t nowners_was;
	double first_seen, state_since, now;   /* epoch seconds; 0 unknown */
	int gone;                              /* closed, still shown */
	const struct procmap *pm;              /* for command lines; may be NULL */
	/* Command lines as recorded, read instead of pm when not NULL (a
	 * moment of the past: its processes may be gone). */
	const struct column_cmdlines *cmdlines;
	const struct services *services;       /* may be NULL */
	uint16_t range_lo, range_hi;           /* kernel local port range; 0 0 unknown */
	double tx_rate, rx_rate;               /* bytes/s over the last poll, when */
	int has_rate;                          /* has_rate (struct sock_entry) */
	/* History: the socket's TX+RX and RTT since its details opened, its
	 * first owner's TX+RX; over span samples (NULL: none). */
	const struct series *rate_hist, *rtt_hist, *owner_hist;
	uint64_t span;
	int ascii;                             /* sparklines in plain ASCII */
};

/* A process of the Trends pane: its name, command line and TX+RX history. */
struct details_process {
	int pid;
	unsigned long long starttime;
	const char *comm;                      /* raw */
	const struct procmap *pm;              /* for the command line; may be NULL */
	const struct column_cmdlines *cmdlines;   /* as recorded; as above */
	const struct series *hist;             /* TX+RX bytes a second */
	uint64_t span, minute;                 /* samples in the window, in 60 s */
	int ascii;
};

void details_init(struct details *d);
void details_free(struct details *d);
/* Replaces d's lines with the description of src. Returns 0 or -1 (ENOMEM). */
int details_build(struct details *d, const struct details_source *src);
/* The same for a process. Returns 0 or -1 (ENOMEM). */
int details_build_process(struct details *d, const struct details_process *src);

#endif
