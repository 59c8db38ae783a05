// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "render/output.h"
#include "util/log.h"

int output_open(struct output *o, const char *path)
{
	static char obuf[1 << 16];
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path) {
		o->f = stdout;
	} else {
		char dir[PATH_MAX];
		struct stat st;

		snprintf(dir, sizeof(dir), "%s", path);
		if (stat(dirname(dir), &st) || !S_ISDIR(st.st_mode)) {
			pr_warn("--output %s: directory %s does not exist", path, dir);
			return -ENOENT;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0 || !(o->f = fdopen(fd, "a"))) {
			int err = errno;

			pr_warn("--output %s: %s", path, strerror(err));
			if (fd >= 0)
				close(fd);
			return -err;
		}
		o->owned = true;
	}
	setvbuf(o->f, obuf, _IOFBF, sizeof(obuf));
	return 0;
}

void output_line(struct output *o, char *buf, size_t n, bool overflowed)
{
	if (overflowed)
		o->st.lines_overflowed++;
	buf[n] = '\n';
	if (fwrite(buf, 1, n + 1, o->f) != n + 1)
		o->st.write_errors++;
	else
		o->st.lines_written++;
	buf[n] = 0;
}

void output_flush(struct output *o)
{
	if (o->f)
		fflush(o->f);
}

bool output_failed(struct output *o)
{
	return o->f && (ferror(o->f) || o->st.write_errors);
}

void output_close(struct output *o)
{
	if (!o->f)
		return;
	if (o->owned)
		fclose(o->f);
	else
		fflush(o->f);
	o->f = NULL;
}
