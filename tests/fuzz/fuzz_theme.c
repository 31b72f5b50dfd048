/* fuzz_theme.c — libFuzzer target for theme files: the input is fed to
 * theme_parse() as a file's text (exact length, no NUL), and the theme it
 * yields (the built-in one after an error) to theme_resolve() for terminals
 * of 0, 8, 16, 88 and 256 colours, with and without --no-color. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "theme.h"

#define FUZZ_CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
			abort(); \
		} \
	} while (0)

/* Every resolved colour must be one the terminal has (ncurses would reject
 * init_pair otherwise); with no colours, none at all. */
static void fuzz_check_resolved(const struct theme_style s[THEME_N_ELEMENTS],
                                int ncolors, int no_color)
{
	int top = (no_color || ncolors < 8) ? 0 : (ncolors > 256 ? 256 : ncolors);

	for (int e = 0; e < THEME_N_ELEMENTS; e++) {
		FUZZ_CHECK(s[e].fg >= THEME_COLOR_DEFAULT && s[e].fg < 256);
		FUZZ_CHECK(s[e].bg >= THEME_COLOR_DEFAULT && s[e].bg < 256);
		if (top > 0) {
			FUZZ_CHECK(s[e].fg < top);
			FUZZ_CHECK(s[e].bg < top);
		}
	}
}

static void fuzz_resolve(const struct theme *t)
{
	static const int ncolors[] = { 0, 8, 16, 88, 256 };
	struct theme_style out[THEME_N_ELEMENTS];

	for (size_t i = 0; i < sizeof ncolors / sizeof ncolors[0]; i++)
		for (int no_color = 0; no_color <= 1; no_color++) {
			theme_resolve(t, ncolors[i], no_color, out);
			fuzz_check_resolved(out, ncolors[i], no_color);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct theme t, builtin;
	char err[256] = "";
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (theme_parse("fuzz", text, size, &t, err, sizeof err) != 0) {
		FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL);
		theme_builtin(&builtin);
		FUZZ_CHECK(memcmp(&t, &builtin, sizeof t) == 0);
	}
	fuzz_resolve(&t);
	free(text);
	return 0;
}
