/* note.c — a message waiting to be said once (note.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "note.h"

void note_add(struct note *n, const char *fmt, ...)
{
	size_t len = n->pending ? strlen(n->text) : 0;
	va_list ap;

	if (len && len + 2 < sizeof(n->text)) {
		memcpy(n->text + len, "; ", 2);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(n->text + len, sizeof(n->text) - len, fmt, ap);
	va_end(ap);
	n->pending = 1;
}

const char *note_take(struct note *n)
{
	if (!n->pending)
		return NULL;
	n->pending = 0;
	return n->text;
}
