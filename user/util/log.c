// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include "util/log.h"

int log_verbosity = LOG_INFO;

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "credwatch: error: ", "credwatch: ",
					      "credwatch: debug: " };
	va_list ap;

	if ((int)lvl > log_verbosity)
		return;
	va_start(ap, fmt);
	fputs(prefix[lvl], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
