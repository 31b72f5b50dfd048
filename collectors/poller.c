/* poller.c — one poll of the machine: source -> snapshot -> owners -> table,
 * with the kernel's announcements of destroyed sockets merged in. Also where
 * --source=auto decides between netlink and /proc/net. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__          /* malloc_trim: glibc's own (stdlib.h defines this) */
#include <malloc.h>
#endif

#include "destroyed.h"
#include "netlink.h"
#include "netns.h"
#include "note.h"
#include "poller.h"
#include "procnet.h"
#include "watchset.h"

struct poller {
	struct poller_config cfg;
	double sampled_at;             /* see poller_sampled_at */
	struct netlink_source *nl;     /* NULL when reading /proc/net */
	/* --source=auto while netlink fails: each poll reads /proc/net and
	 * first tries netlink again on a fresh socket, so sockeye returns to it
	 * as soon as the kernel (or a filter in front of it) lets it. Written
	 * by poller_collect; poller_apply copies it for the reading thread. */
	int nl_down;
	char nl_why[256];              /* why netlink is not in use, for the note */
	int nl_news;                   /* nl_down changed since the last apply */
	char degraded[320];            /* the applied state: "" when netlink serves */
	int snap_proc;                 /* snap came from /proc/net (by poller_collect) */
	int last_proc;                 /* so did the one applied before it */
	/* Every network namespace but our own (which nl dumps): NULL when
	 * only our own is read. Used by poller_collect alone. */
	struct netns_set *ns;
	const char *netns_partial;     /* poller_netns_partial's answer */
	struct procmap *pm;
	struct sock_table *table;
	struct sock_list snap;         /* reused every poll */
	struct note note;
	int collected;                 /* snap holds a collection not yet applied */
	/* Destroy notifications: read by the thread that applies (never by
	 * poller_collect), so they need no lock. NULL when refused, off, or
	 * reading /proc/net: that mode is polling alone. */
	struct netlink_watch *watch;
	struct sock_list watch_recs;   /* a drain's records, reused */
	struct destroyed_list destroyed;   /* announced since the last apply */
	struct destroyed_memory *memory;
	unsigned long dropped;         /* drains that found the list full */
	unsigned long overruns_noted;
	int watch_tried;               /* poller_watch_open ran (it notes a refusal once) */
	/* The other namespaces' watches, and ours, behind one descriptor:
	 * NULL while only our own namespace is read or ours was refused. */
	struct watchset *ws;
	/* Polls left that give the heap's free pages back (poller_give_back). */
	int trims_due;
};

/* Polls that trim the heaps after the arrays shrank (poller_give_back). */
#define POLLER_TRIMS_AFTER_SHRINK 5

/* Announcements held between two polls at most. */
#define POLLER_DESTROYED_MAX 65536

int poller_source_parse(const char *s, enum poller_source *out)
{
	static const struct { const char *name; enum poller_source src; } names[] = {
		{ "auto", POLLER_AUTO }, { "netlink", POLLER_NETLINK }, { "proc", POLLER_PROC },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i].name) == 0) {
			*out = names[i].src;
			return 0;
		}
	}
	return -1;
}

/* Notes wait for poller_take_note; one that comes before the last was
 * taken joins it rather than replacing it. */
#define poller_note(p, ...) note_add(&(p)->note, __VA_ARGS__)

/* Netlink failed (refused at start, or a dump failed): close it (a dump
 * broken off may leave replies queued, so a later try starts on a fresh
 * socket) and read /proc/net until it works again. */
static void fall_back_to_proc(struct poller *p, const char *why)
{
	netlink_close(p->nl);
	p->nl = NULL;
	if (!p->nl_down)
		p->nl_news = 1;
	p->nl_down = 1;
	snprintf(p->nl_why, sizeof(p->nl_why), "%s", why);
}

static void poller_netlink_back(struct poller *p)
{
	if (p->nl_down)
		p->nl_news = 1;
	p->nl_down = 0;
	p->nl_why[0] = '\0';
}

/* On the applying thread: the state poller_degraded reports, and a note
 * when an outage begins or ends (not at each poll it lasts). */
static void poller_apply_source(struct poller *p)
{
	if (p->nl_down)
		snprintf(p->degraded, sizeof(p->degraded), "%s; reading /proc/net until "
		         "netlink works again", p->nl_why);
	else
		p->degraded[0] = '\0';
	if (!p->nl_news)
		return;
	p->nl_news = 0;
	if (p->nl_down)
		poller_note(p, "%s", p->degraded);
	else
		poller_note(p, "netlink sock_diag works again; reading it instead of /proc/net");
}

/* With every namespace read, each one entered is subscribed as well (the
 * kernel announces a close only inside its namespace), and one descriptor
 * stands for all: the callers' loops poll poller_watch_fd alone. Refused,
 * closes are heard in our own namespace only, said once. */
static void poller_watch_namespaces(struct poller *p)
{
	char why[256];

	if (!p->ns)
		return;
	p->ws = watchset_new(why, sizeof(why));
	if (p->ws && watchset_poll_also(p->ws, netlink_watch_fd(p->watch), why, sizeof(why)) < 0) {
		watchset_free(p->ws);
		p->ws = NULL;
	}
	if (!p->ws) {
		poller_note(p, "%s: closes in other network namespaces are not heard", why);
		return;
	}
	netns_watch(p->ns, p->cfg.want);
}

/* Subscribes to destroy notifications beside the netlink source. Refused,
 * sockeye polls alone and says so once. */
static void poller_watch_open(struct poller *p)
{
	char why[256];

	if (!p->nl || p->cfg.no_destroy_events || p->watch_tried)
		return;
	p->watch_tried = 1;
	p->memory = destroyed_memory_new();
	p->watch = p->memory ? netlink_watch_open(p->cfg.want, why, sizeof(why)) : NULL;
	if (!p->memory)
		snprintf(why, sizeof(why), "out of memory");
	if (!p->watch)
		poller_note(p, "%s: connections that open and close between two polls "
		            "are missed", why);
	else
		poller_watch_namespaces(p);
}

static void poller_watch_close(struct poller *p)
{
	netlink_watch_close(p->watch);
	p->watch = NULL;
	destroyed_list_clear(&p->destroyed);
}

/* Reads every network namespace when asked to and allowed: entering one
 * needs CAP_SYS_ADMIN. Without it, AUTO reads our own and says so once
 * (and in the header, through poller_netns_partial); ALL fails. */
static int poller_netns_open(struct poller *p, char *err, size_t errlen)
{
	if (p->cfg.netns == POLLER_NETNS_HOST)
		return 0;
	if (!netns_can_enter(p->cfg.proc_root)) {
		if (p->cfg.netns == POLLER_NETNS_ALL) {
			snprintf(err, errlen, "--all-netns: entering other network namespaces "
			         "needs CAP_SYS_ADMIN (run as root)");
			return -1;
		}
		/* The screen's header says so. Not stderr: every run of an
		 * ordinary user's script would print it (as no other note
		 * for a sight that is partial only because sockeye is not root). */
		p->netns_partial = "host network namespace only (others need root)";
		return 0;
	}
	p->ns = netns_new(p->cfg.proc_root, p->cfg.netns_dir ? p->cfg.netns_dir : "/run/netns");
	if (!p->ns) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Records our own sockets (l->v[from] on) carry our namespace: none when
 * it is the host's, as it is unless sockeye runs inside a container. */
static void poller_tag_own(const struct poller *p, struct sock_list *l, size_t from)
{
	uint64_t ino = p->ns ? netns_self_inode(p->ns) : 0;
	const char *name = p->ns ? netns_self_name(p->ns) : NULL;

	for (size_t i = from; ino && i < l->n; i++) {
		l->v[i].netns = ino;
		l->v[i].netns_name = name;
	}
}

/* Adds the other namespaces' sockets, from the source our own came from.
 * A namespace that cannot be read is left out with a note, never failing
 * the poll: the rest of the machine is still worth showing. */
static void poller_collect_netns(struct poller *p, size_t from)
{
	char why[256];
	const char *note;
	int rc;

	poller_tag_own(p, &p->snap, from);
	if (!p->ns)
		return;
	if (p->nl)
		rc = netns_collect_netlink(p->ns, p->cfg.want, &p->snap, why, sizeof(why));
	else
		rc = netns_collect_proc(p->ns, p->cfg.want, &p->snap, why, sizeof(why));
	if (rc < 0)
		poller_note(p, "%s", why);
	if ((note = netns_take_note(p->ns)) != NULL)
		poller_note(p, "%s", note);
}

struct poller *poller_new(const struct poller_config *cfg, char *err, size_t errlen)
{
	struct poller *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	if (!p->cfg.proc_root)
		p->cfg.proc_root = "/proc";
	sock_list_init(&p->snap);
	p->pm = procmap_new(p->cfg.proc_root);
	p->table = sock_table_new();
	if (!p->pm || !p->table) {
		snprintf(err, errlen, "out of memory");
		poller_free(p);
		return NULL;
	}
	if (cfg->source != POLLER_PROC) {
		char why[256];
		p->nl = netlink_open(why, sizeof(why));
		if (!p->nl && cfg->source == POLLER_NETLINK) {
			snprintf(err, errlen, "%s", why);
			poller_free(p);
			return NULL;
		}
		if (!p->nl) {
			fall_back_to_proc(p, why);
			poller_apply_source(p);
		}
	}
	if (poller_netns_open(p, err, errlen) < 0) {
		poller_free(p);
		return NULL;
	}
	poller_watch_open(p);
	return p;
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	netlink_close(p->nl);
	netns_free(p->ns);
	watchset_free(p->ws);
	netlink_watch_close(p->watch);
	sock_list_free(&p->watch_recs);
	destroyed_list_free(&p->destroyed);
	destroyed_memory_free(p->memory);
	procmap_free(p->pm);
	sock_table_free(p->table);
	sock_list_free(&p->snap);
	free(p);
}

/* With --source=auto, a poll while netlink is down tries it again first. */
static void poller_netlink_retry(struct poller *p)
{
	char why[256];

	if (p->nl || !p->nl_down || p->cfg.source != POLLER_AUTO)
		return;
	p->nl = netlink_open(why, sizeof(why));
	if (!p->nl)
		fall_back_to_proc(p, why);
}

static int collect(struct poller *p, char *err, size_t errlen)
{
	sock_list_clear(&p->snap);
	poller_netlink_retry(p);
	p->snap_proc = !p->nl;
	if (p->nl) {
		if (netlink_collect(p->nl, p->cfg.want, &p->snap, err, errlen) == 0) {
			poller_netlink_back(p);
			return 0;
		}
		if (p->cfg.source == POLLER_NETLINK)
			return -1;
		fall_back_to_proc(p, err);
		sock_list_clear(&p->snap);
		p->snap_proc = 1;
	}
	return procnet_collect(p->cfg.proc_root, p->cfg.want, &p->snap, err, errlen);
}

int poller_collect(struct poller *p, char *err, size_t errlen)
{
	p->collected = 0;
	if (p->ns && netns_scan(p->ns, err, errlen) < 0)
		return -1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	p->sampled_at = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (collect(p, err, errlen) < 0)
		return -1;
	poller_collect_netns(p, 0);
	if (procmap_refresh_for(p->pm, &p->snap, err, errlen) < 0)
		return -1;
	p->collected = 1;
	return 0;
}

/* Our own namespace's announcements, then the other namespaces' (each
 * tagged with its own), into p->watch_recs. */
static void poller_watch_read(struct poller *p)
{
	char why[512];

	sock_list_clear(&p->watch_recs);
	if (p->watch && netlink_watch_drain(p->watch, &p->watch_recs, why, sizeof(why)) < 0) {
		poller_note(p, "%s: connections that open and close between two polls "
		            "are missed from now on", why);
		poller_watch_close(p);
		sock_list_clear(&p->watch_recs);
	}
	poller_tag_own(p, &p->watch_recs, 0);
	if (p->ws && watchset_drain(p->ws, &p->watch_recs, why, sizeof(why)))
		poller_note(p, "%s", why);
}

void poller_watch_drain(struct poller *p, double now)
{
	unsigned long overruns;

	if (!p->watch && !p->ws)
		return;
	poller_watch_read(p);
	/* Bounded, for a screen paused while sockets churn: past the bound
	 * closes are lost as if the kernel's buffer had overrun. */
	if (p->destroyed.n + p->watch_recs.n > POLLER_DESTROYED_MAX ||
	    destroyed_list_add(&p->destroyed, p->watch_recs.v, p->watch_recs.n, now) < 0)
		p->dropped++;
	overruns = netlink_watch_overruns(p->watch) + p->dropped +
	           (p->ws ? watchset_overruns(p->ws) : 0);
	if (overruns && !p->overruns_noted)
		poller_note(p, "some closes were missed: destroy notifications came faster "
		            "than they were read");
	p->overruns_noted = overruns;
}

int poller_watch_fd(const struct poller *p)
{
	return p->ws ? watchset_fd(p->ws) : netlink_watch_fd(p->watch);
}

/* The namespaces entered by the last collection bring their watches; those
 * of namespaces gone are closed. Between collections only. */
static void poller_watch_sync(struct poller *p)
{
	char why[256];

	if (p->ws && watchset_sync(p->ws, p->ns, why, sizeof(why)) < 0)
		poller_note(p, "%s: closes in some network namespaces are not heard", why);
}

/* The diff, with announcements merged in: read the last ones first, then
 * take announced sockets out of the snapshot (announced after the dump),
 * diff, and give GONE events their final records. A baseline (ev NULL)
 * reports nothing, so announcements before it are dropped. */
static int poller_update(struct poller *p, double now, struct sock_events *ev)
{
	size_t from = ev ? ev->n : 0;
	int rc;

	poller_watch_drain(p, now);
	/* Announcements are matched to the table by socket cookie, which
	 * /proc/net does not show: beside a snapshot from it, or the first
	 * from netlink after one, each would be a second, brief GONE of a
	 * socket the poll reports anyway. Those polls go without them. */
	if (p->snap_proc || p->last_proc)
		destroyed_list_clear(&p->destroyed);
	p->last_proc = p->snap_proc;
	if (ev)
		destroyed_prune_snapshot(&p->destroyed, &p->snap, p->table);
	rc = sock_table_update(p->table, &p->snap, p->pm, now, ev);
	if (ev && p->memory && destroyed_merge(&p->destroyed, p->memory, p->pm, p->table,
	                                       now, ev, from) < 0)
		rc = -1;
	destroyed_list_carry(&p->destroyed);
	return rc;
}

/* After a poll that left the table much smaller (a load gone, a burst of
 * closes), the arrays give back the room they kept for it, and glibc is
 * asked to return the free pages of every heap, the collection thread's
 * included: without that, freed memory stays resident for good. What the
 * callers keep of a burst goes later (its events after this poll, the
 * screen's GONE rows after their linger, 3 s by default), so the next few
 * polls trim too. A steady poll does neither (a few compares). */
static void poller_give_back(struct poller *p)
{
	int shrunk = sock_table_fit(p->table);

	shrunk |= sock_list_fit(&p->snap);
	shrunk |= sock_list_fit(&p->watch_recs);
	if (shrunk)
		p->trims_due = POLLER_TRIMS_AFTER_SHRINK;
	if (p->trims_due <= 0)
		return;
	p->trims_due--;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

int poller_apply(struct poller *p, double now, struct sock_events *ev,
                 char *err, size_t errlen)
{
	if (!p->collected) {
		snprintf(err, errlen, "no snapshot collected");
		return -1;
	}
	p->collected = 0;
	/* The subscription is a socket of its own and outlives a failing
	 * dump; netlink refused at start and working now may subscribe. */
	poller_apply_source(p);
	poller_watch_open(p);
	poller_watch_sync(p);
	if (poller_update(p, now, ev) < 0) {
		snprintf(err, errlen, "out of memory while updating the socket table");
		return -1;
	}
	poller_give_back(p);
	return 0;
}

double poller_sampled_at(const struct poller *p)
{
	return p->sampled_at;
}

int poller_poll(struct poller *p, double now, struct sock_events *ev,
                char *err, size_t errlen)
{
	if (poller_collect(p, err, errlen) < 0)
		return -1;
	return poller_apply(p, now, ev, err, errlen);
}

int poller_destroy(struct poller *p, const struct sock_rec *rec, char *err, size_t errlen)
{
	if (!p->nl) {
		snprintf(err, errlen, "closing a socket needs the netlink source "
		                      "(sockeye is reading /proc/net)");
		return -1;
	}
	return netlink_destroy(p->nl, rec, err, errlen);
}

const struct sock_table *poller_table(const struct poller *p)
{
	return p->table;
}

const struct procmap *poller_procmap(const struct poller *p)
{
	return p->pm;
}

const char *poller_netns_partial(const struct poller *p)
{
	return p->netns_partial;
}

const char *poller_source_name(const struct poller *p)
{
	return p->nl ? "netlink" : "proc";
}

const char *poller_degraded(const struct poller *p)
{
	return p->degraded[0] ? p->degraded : NULL;
}

const char *poller_take_note(struct poller *p)
{
	return note_take(&p->note);
}
