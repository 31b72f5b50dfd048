/* timebase.c — reading the wall and monotonic clocks as seconds. */
#include "config.h"

#include <time.h>

#include "timebase.h"

static double timebase_read(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double timebase_epoch(void)
{
	return timebase_read(CLOCK_REALTIME);
}

double timebase_mono(void)
{
	return timebase_read(CLOCK_MONOTONIC);
}
