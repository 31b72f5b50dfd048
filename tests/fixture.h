/* fixture.h — reading a recorded fixture (tests/fixtures) whole. */
#ifndef SOCKEYE_TEST_FIXTURE_H
#define SOCKEYE_TEST_FIXTURE_H

#include <stddef.h>

/* tests/fixtures/<name> in a malloc'd buffer (aligned as netlink wants);
 * a missing or empty file fails the test. */
void *fixture_read(const char *name, size_t *len);

#endif
