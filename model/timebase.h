/* timebase.h — the two clocks the program reads, as seconds in a double:
 * wall time for what the user reads (event times, ages), monotonic time
 * for what must not jump (poll ticks, timeouts, cache expiry). */
#ifndef SOCKEYE_TIMEBASE_H
#define SOCKEYE_TIMEBASE_H

double timebase_epoch(void);   /* CLOCK_REALTIME, seconds since the epoch */
double timebase_mono(void);    /* CLOCK_MONOTONIC, seconds */

#endif
