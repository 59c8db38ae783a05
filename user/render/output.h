/* SPDX-License-Identifier: GPL-2.0 */
/*
 * output: where rendered lines go (stdout or --output FILE), and what became of them: lines
 * written, lines that hit the line bound, lines lost to write errors.
 */
#ifndef CREDWATCH_OUTPUT_H
#define CREDWATCH_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct output_stats {
	uint64_t lines_written;
	uint64_t lines_overflowed; /* content cut at the line bound */
	uint64_t write_errors;	   /* lines that did not reach the output */
};

struct output {
	FILE *f;
	bool owned; /* opened by output_open: closed by output_close */
	struct output_stats st;
};

/* path NULL: stdout. Returns 0 or -errno (with a message on stderr). */
int output_open(struct output *o, const char *path);
/* Write one line (n bytes, without the newline; buf must have room for one more byte). */
void output_line(struct output *o, char *buf, size_t n, bool overflowed);
void output_flush(struct output *o);
/* true when the stream has had an error */
bool output_failed(struct output *o);
void output_close(struct output *o);

#endif
