// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "enrich/args.h"

/* Append the NUL-separated arguments in [p, end), at most max of them, redacting secrets
 * (prev: the argument before p, for context). Returns how many were added. */
static int add_run(struct cw_argv *a, size_t *used, const char *p, const char *end, int max,
		   const char *prev, size_t prev_len)
{
	int n = 0;

	while (p < end) {
		const char *nul = memchr(p, 0, end - p);
		size_t alen = nul ? (size_t)(nul - p) : (size_t)(end - p);
		size_t cl;
		bool red;

		if (n == max) {
			a->truncated = true;
			break;
		}
		if (!nul)
			a->truncated = true; /* the last argument was cut by the byte bound */
		cl = redact_arg(prev, prev_len, p, alen, a->buf + *used, ARGS_ITEM_MAX, &red);
		a->redacted |= red;
		a->item[a->n].off = *used;
		a->item[a->n].len = cl;
		a->n++;
		*used += cl;
		n++;
		prev = p;
		prev_len = alen;
		p += alen + 1;
	}
	return n;
}

static void split(struct cw_argv *a, const struct cw_proc *r)
{
	size_t len = r->args_len > CW_ARGS_MAX ? CW_ARGS_MAX : r->args_len, used = 0;
	const char *p = (const char *)r->args;

	memset(a, 0, sizeof(*a) - sizeof(a->buf));
	a->truncated = r->flags & CW_F_ARGS_TRUNC;
	if ((r->flags & CW_F_ARGS_SPLIT) && len == CW_ARGS_MAX) {
		const char *tail = p + CW_ARGS_HEAD, *end = p + CW_ARGS_MAX;
		const char *first = memchr(tail, 0, end - tail);
		int n = add_run(a, &used, p, tail, ARGS_MAX_ITEMS - 3, NULL, 0);
		static const char mark[] = "[...]";

		memcpy(a->buf + used, mark, sizeof(mark) - 1);
		a->item[a->n].off = used;
		a->item[a->n].len = sizeof(mark) - 1;
		a->n++;
		used += sizeof(mark) - 1;
		/* the dropped fragment is still context: "...-token" then its value */
		if (first)
			add_run(a, &used, first + 1, end, ARGS_MAX_ITEMS - 1 - n, tail,
				first - tail);
	} else {
		add_run(a, &used, p, p + len, ARGS_MAX_ITEMS, NULL, 0);
	}
}

const struct cw_argv *args_of(struct args_cache *c, const struct cw_proc *r)
{
	unsigned int i;

	if (!r->exec_id) {
		split(&c->slot[ARGS_CACHE_N].argv, r);
		return &c->slot[ARGS_CACHE_N].argv;
	}
	for (i = 0; i < ARGS_CACHE_N; i++)
		if (c->slot[i].exec_id == r->exec_id && c->slot[i].args_len == r->args_len &&
		    c->slot[i].flags == r->flags)
			return &c->slot[i].argv;
	i = c->next++ % ARGS_CACHE_N;
	c->slot[i].exec_id = r->exec_id;
	c->slot[i].flags = r->flags;
	c->slot[i].args_len = r->args_len;
	split(&c->slot[i].argv, r);
	return &c->slot[i].argv;
}
