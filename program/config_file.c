/* config_file.c — reading the config file with inih (Debian's libinih)
 * into struct options, and writing settings back with our own writer:
 * inih only reads, and saving must keep the lines it does not own. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "columns.h"
#include "config_file.h"
#include "settings.h"
#include "textsafe.h"
#include "filter.h"
#include "pane.h"

static const char *const config_file_keys[] = {
	"interval", "linger", "theme", "sort", "sort-processes", "sort-events",
	"filter", "columns", "panes", "read-only", "resolve",
	"mouse",
};
#define CONFIG_FILE_NKEYS (sizeof config_file_keys / sizeof config_file_keys[0])

int config_file_default_path(char **path)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	*path = NULL;
	if (xdg && xdg[0] == '/')
		return asprintf(path, "%s/sockeye/config", xdg) < 0 ? (*path = NULL, 0) : 0;
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || !*home)
		return -1;
	return asprintf(path, "%s/.config/sockeye/config", home) < 0 ? (*path = NULL, 0) : 0;
}

/* ---- reading ---- */

struct config_file_load {
	struct options *o;
	const char *path;
	FILE *f;
	int line;                   /* lines handed to inih so far */
	int bad_line;               /* the first bad line we found, 0 none */
	char *err;
	size_t errlen;
};

static void config_file_bad(struct config_file_load *c, const char *fmt, const char *word)
{
	char why[512];
	if (c->bad_line)
		return;   /* the first error is the one reported */
	c->bad_line = c->line;
	snprintf(why, sizeof why, fmt, word);
	snprintf(c->err, c->errlen, "%s:%d: %s", c->path, c->line, why);
}

static void config_file_skip_rest(FILE *f)
{
	int ch;
	while ((ch = getc(f)) != EOF && ch != '\n')
		;
}

/* Checks the line inih would otherwise take silently in its own way: an
 * overlong line (inih would split it in two), an indented one (inih would
 * continue the previous value with it: we take it as its own line), and
 * one that is neither a setting, a comment nor a section. */
static void config_file_check_line(struct config_file_load *c, char *str, int truncated)
{
	char word[64];
	size_t lead = strspn(str, " \t");
	memmove(str, str + lead, strlen(str + lead) + 1);
	if (truncated) {
		snprintf(word, sizeof word, "%.*s", (int)strcspn(str, " \t=:"), str);
		config_file_bad(c, "'%s': line longer than 199 characters", word);
		str[0] = '\0';
		return;
	}
	if (!*str || *str == '\n' || *str == '#' || *str == ';' || *str == '\r')
		return;
	if (*str == '[' ? !strchr(str, ']') : !strpbrk(str, "=:")) {
		snprintf(word, sizeof word, "%.*s", (int)strcspn(str, " \t\r\n"), str);
		config_file_bad(c, "'%s' is not a 'setting = value' line", word);
	}
}

/* inih's line reader (fgets-like), counting lines as it goes. */
static char *config_file_reader(char *str, int num, void *stream)
{
	struct config_file_load *c = stream;
	if (!fgets(str, num, c->f))
		return NULL;
	c->line++;
	int truncated = !strchr(str, '\n') && !feof(c->f);
	if (truncated)
		config_file_skip_rest(c->f);
	config_file_check_line(c, str, truncated);
	return str;
}

static int config_file_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* A column's name on the screen or in --batch's table (not sort-only keys). */
static int config_file_column_index(const char *name)
{
	for (size_t i = 0; i < ncolumns; i++)
		if (columns[i].title && strcasecmp(columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int config_file_pane_index(const char *name)
{
	return pane_find(name);
}

/* "a,b,c" into a mask of bits from index(); the first unknown name is
 * reported. "default" (columns only) is the mask 0. */
static int config_file_list(struct config_file_load *c, const char *v,
                            int (*index)(const char *), unsigned long *mask)
{
	char *copy = strdup(v), *save = NULL;
	*mask = 0;
	if (!copy)
		return config_file_bad(c, "%s", "out of memory"), -1;
	for (char *w = strtok_r(copy, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		int i = index(w);
		if (i < 0) {
			config_file_bad(c, "unknown name '%s'", w);
			free(copy);
			return -1;
		}
		*mask |= 1UL << i;
	}
	free(copy);
	if (!*mask)
		config_file_bad(c, "'%s': the list is empty", v);
	return *mask ? 0 : -1;
}

/* "name[:desc]" for the Processes or Events pane, checked by found. */
static int config_file_pane_sort(struct config_file_load *c, const char *v,
                                 int (*found)(const char *), char **name, int *desc)
{
	free(*name);
	*name = NULL;
	*desc = 0;
	if (!*v)
		return 0;   /* no sort: the pane's natural order */
	char *s = strdup(v);
	if (!s)
		return config_file_bad(c, "%s", "out of memory"), -1;
	char *colon = strchr(s, ':');
	if (colon) {
		*colon = '\0';
		*desc = strcmp(colon + 1, "desc") == 0;
		if (!*desc && strcmp(colon + 1, "asc") != 0) {
			config_file_bad(c, "unknown order '%s' (use :asc or :desc)", colon + 1);
			free(s);
			return -1;
		}
	}
	if (!found(s)) {
		config_file_bad(c, "unknown column '%s'", s);
		free(s);
		return -1;
	}
	*name = s;
	return 0;
}

static int config_file_proc_col(const char *n)
{
	return columns_table_find(&columns_processes, n) != NULL;
}
static int config_file_event_col(const char *n)
{
	return columns_table_find(&columns_events, n) != NULL;
}

static int config_file_filter(struct config_file_load *c, const char *v)
{
	struct filter *f;
	char ferr[256];
	if (filter_compile(v, &f, ferr, sizeof ferr) < 0) {
		config_file_bad(c, "bad filter: %s", ferr);
		return -1;
	}
	filter_free(f);
	free(c->o->filter);
	c->o->filter = strdup(v);
	if (!c->o->filter)
		return config_file_bad(c, "%s", "out of memory"), -1;
	return 0;
}

/* The settings options.c also parses from the command line. */
static int config_file_shared(struct config_file_load *c, const char *name, const char *v)
{
	char what[32], why[400];
	struct options *o = c->o;
	int rc;
	snprintf(what, sizeof what, "%s", name);
	if (strcmp(name, "interval") == 0)
		rc = settings_set_interval(o, what, v, why, sizeof why);
	else if (strcmp(name, "linger") == 0)
		rc = settings_set_linger(o, what, v, why, sizeof why);
	else if (strcmp(name, "theme") == 0)
		rc = settings_set_theme(o, what, v, why, sizeof why);
	else if (*v)
		rc = settings_set_sort(o, what, v, why, sizeof why);
	else {
		o->sort = NULL;   /* "sort =": kernel order */
		return 0;
	}
	if (rc < 0)
		config_file_bad(c, "%s", why);
	return rc;
}

static int config_file_setting(struct config_file_load *c, const char *name, const char *v)
{
	struct options *o = c->o;
	if (!strcmp(name, "interval") || !strcmp(name, "linger") || !strcmp(name, "theme") ||
	    !strcmp(name, "sort"))
		return config_file_shared(c, name, v);
	if (!strcmp(name, "sort-processes"))
		return config_file_pane_sort(c, v, config_file_proc_col, &o->sort_processes,
		                             &o->sort_processes_desc);
	if (!strcmp(name, "sort-events"))
		return config_file_pane_sort(c, v, config_file_event_col, &o->sort_events,
		                             &o->sort_events_desc);
	if (!strcmp(name, "filter"))
		return config_file_filter(c, v);
	if (!strcmp(name, "columns")) {
		if (strcasecmp(v, "default") == 0)
			return o->columns = 0, 0;
		return config_file_list(c, v, config_file_column_index, &o->columns);
	}
	if (!strcmp(name, "panes")) {
		unsigned long m;
		int rc = config_file_list(c, v, config_file_pane_index, &m);
		o->panes = (unsigned)m;
		return rc;
	}
	int on, *flag = !strcmp(name, "read-only") ? &o->read_only : &o->resolve;
	if (config_file_bool(v, !strcmp(name, "mouse") ? &on : flag) < 0) {
		config_file_bad(c, "'%s' is not yes or no", v);
		return -1;
	}
	if (!strcmp(name, "mouse"))
		o->no_mouse = !on;
	return 0;
}

static int config_file_handler(void *user, const char *section, const char *name,
                               const char *value)
{
	struct config_file_load *c = user;
	if (c->bad_line)
		return 1;   /* only the first error counts; settings after it are moot */
	if (*section) {
		config_file_bad(c, "'[%s]': the file has no sections", section);
		return 0;
	}
	for (size_t i = 0; i < CONFIG_FILE_NKEYS; i++)
		if (strcmp(name, config_file_keys[i]) == 0)
			return config_file_setting(c, name, value) == 0;
	config_file_bad(c, "unknown setting '%s' (interval, linger, theme, sort, "
	                "sort-processes, sort-events, filter, columns, panes, read-only, "
	                "resolve, mouse)", name);
	return 0;
}

int config_file_load(struct options *o, const char *path, int must_exist,
                     char *err, size_t errlen)
{
	struct config_file_load c = { .o = o, .path = path, .err = err, .errlen = errlen };
	c.f = fopen(path, "r");
	if (!c.f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		/* A default the user cannot read (HOME left pointing at another
		 * user's home) means the defaults; a file they named is an error. */
		if (!must_exist) {
			int e = errno;
			char shown[256];
			textsafe_display(path, strlen(path), shown, sizeof(shown));
			snprintf(o->config_note, sizeof(o->config_note),
			         "%s: %s: using the default settings", shown, strerror(e));
			return 0;
		}
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = ini_parse_stream(config_file_reader, &c, config_file_handler, &c);
	int read_failed = ferror(c.f);
	fclose(c.f);
	if (read_failed) {
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	if (rc == -2) {
		snprintf(err, errlen, "out of memory reading %s", path);
		return -1;
	}
	if (c.bad_line)
		return -1;
	if (rc > 0) {   /* inih refused a line our checks let through */
		snprintf(err, errlen, "%s:%d: not a 'setting = value' line", path, rc);
		return -1;
	}
	return 0;
}

/* ---- writing ---- */

void config_file_columns_str(unsigned long mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!mask) {
		snprintf(buf, len, "default");
		return;
	}
	for (size_t i = 0; i < ncolumns && n < len; i++)
		if (mask & (1UL << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", columns[i].name);
}

void config_file_panes_str(unsigned mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < PANE_COUNT && n < len; i++)
		if (!mask || (mask & (1u << i)))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "",
			                      pane_kinds[i].name);
}

#define CONFIG_FILE_VALUE_MAX 1200

struct config_file_line {
	const char *key;
	char value[CONFIG_FILE_VALUE_MAX];
	int skip;                   /* leave the file's line as it is */
	int written;
};

static void config_file_values(const struct config_file_settings *s,
                               struct config_file_line v[CONFIG_FILE_NKEYS])
{
	for (size_t i = 0; i < CONFIG_FILE_NKEYS; i++)
		v[i] = (struct config_file_line){ .key = config_file_keys[i] };
	snprintf(v[0].value, sizeof v[0].value, "%g", s->interval);
	snprintf(v[1].value, sizeof v[1].value, "%g", s->linger);
	v[2].skip = !s->theme;
	snprintf(v[2].value, sizeof v[2].value, "%s", s->theme ? s->theme : "");
	snprintf(v[3].value, sizeof v[3].value, "%s", s->sort ? s->sort : "");
	snprintf(v[4].value, sizeof v[4].value, "%s", s->sort_processes ? s->sort_processes : "");
	snprintf(v[5].value, sizeof v[5].value, "%s", s->sort_events ? s->sort_events : "");
	snprintf(v[6].value, sizeof v[6].value, "%s", s->filter ? s->filter : "");
	config_file_columns_str(s->columns, v[7].value, sizeof v[7].value);
	config_file_panes_str(s->panes, v[8].value, sizeof v[8].value);
	v[9].skip = 1;   /* read-only is the owner's choice, never the screen's */
	snprintf(v[10].value, sizeof v[10].value, "%s", s->resolve ? "yes" : "no");
	snprintf(v[11].value, sizeof v[11].value, "%s", s->mouse ? "yes" : "no");
}

/* A value inih could not read back whole: too long a line, or a ';' that
 * it would take for the start of a comment. */
static int config_file_value_fits(const struct config_file_line *v, char *err, size_t errlen)
{
	if (strlen(v->key) + 3 + strlen(v->value) > CONFIG_FILE_MAX_LINE) {
		snprintf(err, errlen, "not saved: the %s is too long for the config file "
		         "(a line holds at most %d characters)", v->key, CONFIG_FILE_MAX_LINE);
		return -1;
	}
	if (strchr(v->value, ';') || strchr(v->value, '\n')) {
		snprintf(err, errlen, "not saved: the %s holds a ';', which the config file "
		         "reads as a comment", v->key);
		return -1;
	}
	return 0;
}

/* The setting a line of the file sets, or NULL for any other line. */
static struct config_file_line *config_file_line_key(const char *line,
                                                     struct config_file_line *v)
{
	line += strspn(line, " \t");
	size_t n = strcspn(line, "=:");
	if (!line[n] || *line == '#' || *line == ';' || *line == '[')
		return NULL;
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	for (size_t i = 0; i < CONFIG_FILE_NKEYS; i++)
		if (!v[i].skip && strlen(v[i].key) == n && strncmp(line, v[i].key, n) == 0)
			return &v[i];
	return NULL;
}

/* Copies the old file (NULL: none) to out with the settings' lines
 * rewritten, then appends the settings it lacked. */
static void config_file_merge(FILE *old, FILE *out, struct config_file_line *v)
{
	char *line = NULL;
	size_t cap = 0;
	if (!old)
		fputs("# sockeye settings (see sockeye(1), FILES); the W key on the screen\n"
		      "# rewrites the settings' lines and keeps every other line.\n", out);
	while (old && getline(&line, &cap, old) >= 0) {
		struct config_file_line *k = config_file_line_key(line, v);
		if (!k)
			fputs(line, out);
		else if (!k->written)
			fprintf(out, "%s = %s\n", k->key, k->value);
		if (k)
			k->written = 1;   /* a repeat is dropped: the first line now rules */
	}
	free(line);
	for (size_t i = 0; i < CONFIG_FILE_NKEYS; i++)
		if (!v[i].skip && !v[i].written)
			fprintf(out, "%s = %s\n", v[i].key, v[i].value);
}

/* mkdir -p of path's directory; new directories are private (XDG). */
static int config_file_mkdirs(const char *path, char *err, size_t errlen)
{
	char *dir = strdup(path);
	if (!dir) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	char *slash = strrchr(dir, '/');
	for (char *p = dir + 1; slash && p <= slash; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/* Writes the merged file to a temporary beside target and renames it over. */
static int config_file_replace(const char *target, FILE *old, mode_t mode,
                               struct config_file_line *v, char *err, size_t errlen)
{
	char *tmp;
	if (asprintf(&tmp, "%s.XXXXXX", target) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int fd = mkstemp(tmp);
	FILE *out = fd < 0 ? NULL : fdopen(fd, "w");
	if (!out) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		free(tmp);
		return -1;
	}
	config_file_merge(old, out, v);
	int bad = fflush(out) != 0 || ferror(out) || fchmod(fd, mode) < 0 || fsync(fd) < 0;
	int saved = errno;
	bad |= fclose(out) != 0;
	if (bad || rename(tmp, target) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", target, strerror(bad ? saved : errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int config_file_save(const char *path, const struct config_file_settings *s,
                     char *err, size_t errlen)
{
	struct config_file_line v[CONFIG_FILE_NKEYS];
	config_file_values(s, v);
	for (size_t i = 0; i < CONFIG_FILE_NKEYS; i++)
		if (!v[i].skip && config_file_value_fits(&v[i], err, errlen) < 0)
			return -1;
	/* Through a symbolic link (dotfiles kept elsewhere): replace its target. */
	char *target = realpath(path, NULL);
	if (!target && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	const char *dest = target ? target : path;
	int rc = -1;
	struct stat st;
	FILE *old = fopen(dest, "r");
	if (!old && errno != ENOENT)
		snprintf(err, errlen, "cannot read %s: %s", dest, strerror(errno));
	else if (config_file_mkdirs(dest, err, errlen) == 0)
		rc = config_file_replace(dest, old,
		                         old && fstat(fileno(old), &st) == 0 ? st.st_mode & 07777 : 0644,
		                         v, err, errlen);
	if (old)
		fclose(old);
	free(target);
	return rc;
}
