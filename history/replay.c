/* replay.c — see replay.h. */
#include "config.h"
#include "replay.h"
