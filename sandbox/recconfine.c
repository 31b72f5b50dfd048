/* recconfine.c — the recording's writer thread narrowed to the
 * recording's files (privs.h), apart from privs.c so it stays one short
 * step of its own. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "privs.h"

int privs_confine_recording(void *path, char *err, size_t errlen)
{
	static const char *const sides[] = { "", "-wal", "-shm", "-journal" };
	struct privs_policy pol = { .ncaps = 0 };
	struct privs_report rep;
	char name[4096];
	int rc = 0;

	memset(&rep, 0, sizeof(rep));
	for (size_t i = 0; path && i < sizeof(sides) / sizeof(sides[0]) && rc == 0; i++) {
		snprintf(name, sizeof(name), "%s%s", (const char *)path, sides[i]);
		rc = privs_policy_add(&pol, name, PRIVS_WRITE, err, errlen);
	}
	if (rc == 0 && privs_sandbox(&pol, &rep) < 0) {
		snprintf(err, errlen, "%s", rep.note);
		rc = -1;
	}
	privs_policy_free(&pol);
	return rc;
}
