/* proctree.c — makes a recorded /proc fixture tree real in a temporary
 * directory, and removes it again. The fixtures keep each fd table as a
 * text manifest (fd.links) because its symlinks ("socket:[N]", "pipe:[N]")
 * dangle by nature and would not survive `make dist`, which dereferences. */
#include "config.h"

#include "proctree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROCTREE_MANIFEST "fd.links"

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	int e = errno;

	snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return -1;
}

static int join(char out[PATH_MAX], const char *dir, const char *name,
                char *err, size_t errlen)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		snprintf(err, errlen, "path too long: %s/%s", dir, name);
		return -1;
	}
	return 0;
}

static int write_all(int fd, const char *buf, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* The kernel's /proc files are small; the copy is byte for byte. */
static int copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	char buf[8192];
	ssize_t n;
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out, r = 0;

	if (in < 0)
		return fail(err, errlen, "open", src);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		r = fail(err, errlen, "create", dst);
		close(in);
		return r;
	}
	while (r == 0 && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = fail(err, errlen, "read", src);
		else if (write_all(out, buf, n) != 0)
			r = fail(err, errlen, "write", dst);
	}
	close(in);
	if (close(out) != 0 && r == 0)
		r = fail(err, errlen, "close", dst);
	return r;
}

/* One manifest line, "<fd> <target>" without its newline: the fd must be
 * digits (it becomes a file name), the target is the rest of the line
 * verbatim, spaces included, exactly as readlink returned it. Returns 0,
 * -1 with err filled, or 1 when the line is malformed. */
static int link_from_line(char *line, const char *fddir, char *err, size_t errlen)
{
	char *space = strchr(line, ' ');
	char path[PATH_MAX];

	if (!space || space == line || space[1] == '\0'
	    || strspn(line, "0123456789") != (size_t)(space - line))
		return 1;
	*space = '\0';
	if (join(path, fddir, line, err, errlen) != 0)
		return -1;
	if (symlink(space + 1, path) != 0)
		return fail(err, errlen, "symlink", path);
	return 0;
}

static int links_from_manifest(const char *manifest, const char *fddir,
                               char *err, size_t errlen)
{
	FILE *f = fopen(manifest, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int r = 0;

	if (!f)
		return fail(err, errlen, "open", manifest);
	if (mkdir(fddir, 0755) != 0)
		r = fail(err, errlen, "mkdir", fddir);
	while (r == 0 && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		r = link_from_line(line, fddir, err, errlen);
		if (r > 0) {
			snprintf(err, errlen, "%s:%zu: not \"<fd> <target>\"",
			         manifest, lineno);
			r = -1;
		}
	}
	if (r == 0 && ferror(f))
		r = fail(err, errlen, "read", manifest);
	free(line);
	fclose(f);
	return r;
}

static int copy_tree(const char *src, const char *dst, char *err, size_t errlen);

/* Fixtures hold only directories, regular files and manifests: anything
 * else (a symlink left from an old recording) is refused, not guessed at. */
static int copy_entry(const char *src, const char *dst, const char *name,
                      char *err, size_t errlen)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat st;

	if (join(from, src, name, err, errlen) != 0)
		return -1;
	if (lstat(from, &st) != 0)
		return fail(err, errlen, "stat", from);
	if (S_ISREG(st.st_mode) && strcmp(name, PROCTREE_MANIFEST) == 0)
		return join(to, dst, "fd", err, errlen) != 0 ? -1
		     : links_from_manifest(from, to, err, errlen);
	if (join(to, dst, name, err, errlen) != 0)
		return -1;
	if (S_ISREG(st.st_mode))
		return copy_file(from, to, err, errlen);
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: neither a file nor a directory", from);
		return -1;
	}
	if (mkdir(to, 0755) != 0)
		return fail(err, errlen, "mkdir", to);
	return copy_tree(from, to, err, errlen);
}

static int copy_tree(const char *src, const char *dst, char *err, size_t errlen)
{
	DIR *d = opendir(src);
	struct dirent *de;
	int r = 0;

	if (!d)
		return fail(err, errlen, "open", src);
	while (r == 0 && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = copy_entry(src, dst, de->d_name, err, errlen);
	closedir(d);
	return r;
}

static int make_root(struct proctree *t, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = snprintf(t->root, sizeof t->root, "%s/proctree-XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof t->root) {
		snprintf(err, errlen, "TMPDIR too long: %s", tmp);
		t->root[0] = '\0';
		return -1;
	}
	if (!mkdtemp(t->root)) {
		fail(err, errlen, "mkdtemp", t->root);
		t->root[0] = '\0';
		return -1;
	}
	return 0;
}

int proctree_make(struct proctree *t, const char *src, char *err, size_t errlen)
{
	char ignored[8];

	if (make_root(t, err, errlen) != 0)
		return -1;
	if (copy_tree(src, t->root, err, errlen) != 0) {
		proctree_remove(t, ignored, sizeof ignored);
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

int proctree_remove(struct proctree *t, char *err, size_t errlen)
{
	/* FTW_PHYS: the fd/ links point at things like /dev/null; only the
	 * links themselves go. FTW_DEPTH: a directory after its contents. */
	if (t->root[0] == '\0')
		return 0;
	if (nftw(t->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return fail(err, errlen, "remove", t->root);
	t->root[0] = '\0';
	return 0;
}
