/* export.c — the fleet outputs after each poll (export.h): metrics built
 * by collectors/promfile and swapped into place, events built into
 * journal entries by collectors/journal and sent. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "journal.h"
#include "outwriter.h"
#include "promfile.h"

struct export {
	struct export_config cfg;
	struct promfile_counts *counts;      /* --prometheus */
	struct outwriter *writer;            /* writes it, once confined */
	struct journal_entry entry;          /* --journal, reused per event */
};

struct export *export_open(const struct export_config *cfg, char *err, size_t errlen)
{
	struct export *x = calloc(1, sizeof(*x));

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->cfg = *cfg;
	journal_entry_init(&x->entry);
	if (cfg->journal && journal_check(err, errlen) < 0) {
		free(x);
		return NULL;
	}
	if (cfg->prometheus && !(x->counts = promfile_counts_new())) {
		snprintf(err, errlen, "out of memory");
		free(x);
		return NULL;
	}
	return x;
}

void export_free(struct export *x)
{
	if (!x)
		return;
	outwriter_stop(x->writer);
	promfile_counts_free(x->counts);
	journal_entry_free(&x->entry);
	free(x);
}

static int export_prometheus(struct export *x, const struct sock_table *t,
                             double poll_seconds, double when, char *err, size_t errlen)
{
	struct promfile_meta m = { .poll_seconds = poll_seconds, .poll_time = when };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int rc = -1;

	if (promfile_counts_table(x->counts, t, x->cfg.filter) < 0 ||
	    !(f = open_memstream(&buf, &len))) {
		snprintf(err, errlen, "--prometheus: out of memory");
		return -1;
	}
	if (promfile_render(f, x->counts, &m) < 0 || fclose(f) != 0)
		snprintf(err, errlen, "--prometheus: out of memory");
	else if (x->writer)
		rc = outwriter_replace(x->writer, buf, len, err, errlen);
	else
		rc = promfile_replace(x->cfg.prometheus, buf, len, err, errlen);
	free(buf);
	return rc;
}

int export_confine(struct export *x, char *note, size_t notelen, char *err, size_t errlen)
{
	int abi = 0;

	note[0] = '\0';
	if (!x || !x->cfg.prometheus)
		return 0;
	x->writer = outwriter_start(x->cfg.prometheus, &abi, note, notelen, err, errlen);
	return x->writer ? 0 : -1;
}

static int export_journal(struct export *x, const struct sock_events *ev,
                          char *err, size_t errlen)
{
	for (size_t i = 0; i < ev->n; i++) {
		const struct sock_event *e = &ev->v[i];
		struct filter_subject s = { .rec = &e->rec, .owners = e->owners,
		                            .nowners = e->nowners, .netns = e->rec.netns_name };
		if (x->cfg.filter && !filter_match_was(x->cfg.filter, &s, e->owners_was,
		                                       e->nowners_was))
			continue;
		if (journal_entry_build(&x->entry, e) < 0) {
			snprintf(err, errlen, "--journal: out of memory");
			return -1;
		}
		if (journal_send(&x->entry, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int export_poll(struct export *x, const struct sock_table *t, const struct sock_events *ev,
                double poll_seconds, double when, char *err, size_t errlen)
{
	if (!x)
		return 0;
	if (x->cfg.prometheus && export_prometheus(x, t, poll_seconds, when, err, errlen) < 0)
		return -1;
	if (x->cfg.journal && ev && export_journal(x, ev, err, errlen) < 0)
		return -1;
	return 0;
}

void export_hostname(char *buf, size_t len)
{
	/* gethostname may leave a name of exactly len bytes unterminated. */
	if (len == 0)
		return;
	if (gethostname(buf, len) < 0 || !buf[0])
		snprintf(buf, len, "unknown");
	buf[len - 1] = '\0';
}
