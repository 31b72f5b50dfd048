/* when.c — see when.h. */
#include "config.h"
#include "when.h"
