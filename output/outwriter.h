/* outwriter.h — the one thread of --batch and --events that may write a
 * file: the --prometheus file. It narrows itself with Landlock to that
 * file's folder before doing anything else, so that the thread which reads
 * the system can refuse itself every file write (nowrite.h) and still
 * export. The reading thread hands it each new content and waits for the
 * result, so errors come back where they did before. */
#ifndef SOCKEYE_OUTWRITER_H
#define SOCKEYE_OUTWRITER_H

#include <stddef.h>

struct outwriter;

/* Starts the thread for path. Returns NULL with err when path's folder is
 * missing or the thread cannot start. *landlock_abi is the Landlock ABI
 * the thread applied, or 0 with why saying why it writes unnarrowed. Call
 * it after capabilities were dropped (privs_drop): the thread inherits
 * what the caller has. */
struct outwriter *outwriter_start(const char *path, int *landlock_abi, char *why,
                                  size_t whylen, char *err, size_t errlen);
/* Has the thread replace path's content with data[0..len) (see
 * promfile_replace) and waits. Returns 0, or -1 with err. */
int outwriter_replace(struct outwriter *w, const char *data, size_t len,
                      char *err, size_t errlen);
/* Ends and joins the thread; w may be NULL. */
void outwriter_stop(struct outwriter *w);

#endif
