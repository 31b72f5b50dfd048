/* record.c — see record.h. */
#include "config.h"
#include "record.h"
