/* fdio.h — writing a buffer whole to a descriptor, through short writes
 * and interrupted calls: one write(2) a line where it fits, so readers of
 * a pipe or a file never see half of one. */
#ifndef SOCKEYE_FDIO_H
#define SOCKEYE_FDIO_H

#include <stddef.h>

/* 0 when all len bytes were written, -1 with errno on the first error. */
int fdio_write_all(int fd, const void *data, size_t len);

#endif
