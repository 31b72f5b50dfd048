/* note.h — a message waiting to be said once: notes added before it is
 * taken join it ("; "), so nothing said between two reads is lost. */
#ifndef SOCKEYE_NOTE_H
#define SOCKEYE_NOTE_H

struct note {
	char text[512];
	int pending;
};

/* Adds a printf-style note, joined to one not yet taken. */
__attribute__((format(printf, 2, 3)))
void note_add(struct note *n, const char *fmt, ...);

/* The notes since the last take, then NULL until another is added. */
const char *note_take(struct note *n);

#endif
