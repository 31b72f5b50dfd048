/* journal.h — socket events as structured systemd journal entries: the
 * fields of one entry built from an event (a pure function, testable
 * anywhere), and the thin send through libsystemd where it was found at
 * build time. */
#ifndef SOCKEYE_JOURNAL_H
#define SOCKEYE_JOURNAL_H

#include <stddef.h>
#include <sys/uio.h>
#include "table.h"

/* One entry: "FIELD=value" items, each its own allocation. Values are the
 * exact bytes (command and user names are untrusted: the journal stores
 * binary values, and sd_journal_sendv frames a value holding a newline);
 * only MESSAGE, the line journalctl shows, is escaped for a terminal. */
struct journal_entry {
	struct iovec *iov;
	size_t n, cap;
};

void journal_entry_init(struct journal_entry *j);
/* Frees every item, keeping nothing. */
void journal_entry_free(struct journal_entry *j);

/* Fills j (emptied first) with e's fields: MESSAGE, PRIORITY (6, info),
 * SYSLOG_IDENTIFIER=sockeye, SOCKEYE_EVENT, SOCKEYE_PROTO, SOCKEYE_FAMILY,
 * SOCKEYE_STATE, SOCKEYE_FROM (state events), SOCKEYE_LADDR, SOCKEYE_LPORT,
 * SOCKEYE_RADDR, SOCKEYE_RPORT, SOCKEYE_INODE, SOCKEYE_UID (when known),
 * SOCKEYE_BRIEF=1 (brief sockets), SOCKEYE_TXBYTES and SOCKEYE_RXBYTES
 * (TCP with tcp_info), and per owner SOCKEYE_PID, SOCKEYE_COMM and
 * SOCKEYE_USER. Returns 0, or -1 when out of memory. */
int journal_entry_build(struct journal_entry *j, const struct sock_event *e);

/* The value of the first item named field ("SOCKEYE_LPORT"), with its
 * length, or NULL; the k-th (from 0) with journal_entry_value_at. */
const char *journal_entry_value(const struct journal_entry *j, const char *field,
                                size_t *len);
const char *journal_entry_value_at(const struct journal_entry *j, const char *field,
                                   size_t k, size_t *len);

/* 1 when sockeye was built with libsystemd. */
int journal_built_in(void);
/* Whether entries can be sent: built in, and a journal socket is there.
 * Returns 0, or -1 with err saying why not. */
int journal_check(char *err, size_t errlen);
/* Sends one entry. Returns 0, or -1 with err filled. */
int journal_send(const struct journal_entry *j, char *err, size_t errlen);

#endif
