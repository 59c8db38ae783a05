// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/textutil.h"

bool json_depth_ok(const void *text, size_t n, int max_depth)
{
	const unsigned char *s = text;
	bool in_str = false, esc = false;
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
		} else if (ch == '[' || ch == '{') {
			if (++depth > max_depth)
				return false;
		} else if ((ch == ']' || ch == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}

bool bounded_copy(char *dst, size_t cap, const char *src, size_t n)
{
	bool cut = n >= cap;

	if (!cap)
		return n > 0;
	if (cut)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return cut;
}
