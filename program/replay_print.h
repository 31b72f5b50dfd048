/* replay_print.h — --replay with --batch or --events: a recording printed
 * by the live printers, as they printed the machine then. */
#ifndef SOCKEYE_REPLAY_PRINT_H
#define SOCKEYE_REPLAY_PRINT_H

#include "options.h"

/* Prints what o asks of the recording o->replay. Returns the exit status:
 * 0, 1 when the recording cannot be read (one message on stderr), 2 for
 * a window that ends before it starts. */
int replay_print(const struct options *o);

#endif
