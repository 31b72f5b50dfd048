/* clipboard.c — the text `y` copies and its OSC 52 sequence. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "clipboard.h"
#include "sock.h"

size_t clipboard_base64(const void *in, size_t len, char *out, size_t outlen)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = in;
	size_t need = (len + 2) / 3 * 4, o = 0;
	if (outlen <= need)
		return 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = i + 1 < len ? digits[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? digits[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

size_t clipboard_osc52(const char *text, char *out, size_t outlen)
{
	char clean[CLIPBOARD_TEXT_MAX] = "";
	size_t n = 0;
	for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			continue;
		if (n == sizeof(clean))
			return 0;
		clean[n++] = (char)*s;
	}
	static const char head[] = "\033]52;c;";
	size_t h = sizeof(head) - 1;
	if (outlen < h + 2)
		return 0;
	memcpy(out, head, h);
	size_t b = clipboard_base64(clean, n, out + h, outlen - h - 1);
	if (!b && n)
		return 0;
	out[h + b] = '\a';
	out[h + b + 1] = '\0';
	return h + b + 1;
}

void clipboard_socket_text(const struct column_row *r, char *buf, size_t len)
{
	char proto[16], local[96], remote[96], owners[512];
	const struct sock_rec *rec = r->rec;
	columns_find("proto")->format(r, proto, sizeof(proto));
	sock_endpoint_str(rec->family, rec->laddr, rec->lport, local, sizeof(local));
	sock_endpoint_str(rec->family, rec->raddr, rec->rport, remote, sizeof(remote));
	columns_process->format(r, owners, sizeof(owners));
	snprintf(buf, len, "%s %s -> %s %s %s", proto, local, remote,
	         sock_state_name(rec->proto, rec->state), owners);
}

void clipboard_cells_text(const struct layout_col *cols, size_t n, const void *cells,
                          char *buf, size_t len)
{
	size_t used = 0;
	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < len; i++) {
		char cell[512];
		cols[i].col->format(cells, cell, sizeof(cell));
		if (!cell[0])
			continue;
		int w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", cell);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}
