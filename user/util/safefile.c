// SPDX-License-Identifier: GPL-2.0
/*
 * safefile: contained, bounded reads below a root directory fd. See safefile.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* Initial read buffer when fstat gives no useful size (procfs, sysfs). */
#define SAFEFILE_CHUNK 4096

/*
 * Validate relpath: bounded, no ".." component. Sets *rest to the path without leading
 * slashes ("." when nothing is left, meaning the root itself).
 */
static int check_relpath(const char *relpath, const char **rest)
{
	size_t n, i = 0;

	if (!relpath)
		return -EINVAL;
	n = strnlen(relpath, PATH_MAX);
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	while (i < n) {
		size_t j = i;

		while (j < n && relpath[j] != '/')
			j++;
		if (j - i == 2 && relpath[i] == '.' && relpath[i + 1] == '.')
			return -EXDEV;
		i = j + 1;
	}
	while (*relpath == '/')
		relpath++;
	*rest = *relpath ? relpath : ".";
	return 0;
}

/*
 * Why did openat(O_NOFOLLOW|O_DIRECTORY) say ENOTDIR? A symlink is reported as -ELOOP so both
 * resolution paths agree on what a refused symlink looks like.
 */
static int notdir_reason(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return -ELOOP;
	return -ENOTDIR;
}

/*
 * Fallback resolution without openat2: one component at a time, O_PATH so nothing is really
 * opened, O_NOFOLLOW so no symlink is ever followed. ".." was refused by check_relpath, so each
 * step stays a child of the previous one.
 */
static int walk_open(int rootfd, const char *rel, int last_flags)
{
	char buf[PATH_MAX];
	char *p, *slash;
	int cur, fd;

	/* check_relpath bounded rel below PATH_MAX. */
	strcpy(buf, rel);
	cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	p = buf;
	for (;;) {
		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		if (slash) {
			*slash = '\0';
			/* Trailing slashes: the last component is the one before them. */
			if (slash[1 + strspn(slash + 1, "/")] == '\0')
				slash = NULL;
		}
		if (!slash)
			break;
		if (strcmp(p, ".") != 0) {
			fd = openat(cur, p, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				int err = errno == ENOTDIR ? notdir_reason(cur, p) : -errno;

				close(cur);
				return err;
			}
			close(cur);
			cur = fd;
		}
		p = slash + 1;
	}
	fd = openat(cur, *p ? p : ".", last_flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = (errno == ENOTDIR && (last_flags & O_DIRECTORY)) ? notdir_reason(cur, p)
									   : -errno;

		close(cur);
		return err;
	}
	close(cur);
	return fd;
}

/* Resolve rel below rootfd with open flags `oflags` (O_NOFOLLOW and O_CLOEXEC are added). */
static int resolve(int rootfd, const char *rel, int oflags, unsigned int flags)
{
	if (!(flags & SAFEFILE_WALK)) {
		struct open_how how = {
			.flags = (unsigned long long)(oflags | O_NOFOLLOW | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		long fd;
		int tries = 0;

		/* EAGAIN: a rename raced an in-root lookup; the kernel asks for a retry. */
		do {
			fd = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		} while (fd < 0 && errno == EAGAIN && ++tries < 8);
		if (fd >= 0)
			return (int)fd;
		if (errno != ENOSYS)
			return -errno;
	}
	return walk_open(rootfd, rel, oflags);
}

static int type_error(mode_t mode)
{
	if (S_ISLNK(mode))
		return -ELOOP;
	if (S_ISDIR(mode))
		return -EISDIR;
	return -EINVAL;
}

int safefile_open(int rootfd, const char *relpath, size_t max_bytes, unsigned int flags)
{
	const char *rel;
	struct stat st, st2;
	char proc[64];
	int rc, pfd, fd;

	if (rootfd < 0)
		return -EBADF;
	rc = check_relpath(relpath, &rel);
	if (rc)
		return rc;
	pfd = resolve(rootfd, rel, O_PATH, flags);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = type_error(st.st_mode);
		goto out;
	}
	if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
		rc = -EFBIG;
		goto out;
	}
	/* Reopen the inode we checked, not the name (which could have been swapped since). */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		/* No /proc: resolve again, then make sure it is still the same file. */
		fd = resolve(rootfd, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, flags);
		if (fd < 0) {
			rc = fd;
			goto out;
		}
	} else if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstat(fd, &st2) < 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
	    !S_ISREG(st2.st_mode)) {
		close(fd);
		rc = -EAGAIN;
		goto out;
	}
	rc = fd;
out:
	close(pfd);
	return rc;
}

/*
 * Read fd to EOF, at most max_bytes. The buffer grows from the fstat size (or a small chunk)
 * so that a small file never costs a max_bytes allocation.
 */
static int read_all(int fd, size_t max_bytes, char **out, size_t *out_len)
{
	struct stat st;
	size_t cap, len = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : SAFEFILE_CHUNK;
	if (cap > max_bytes + 1)
		cap = max_bytes + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap;
			char *nbuf;

			if (cap >= max_bytes + 1)
				break;
			ncap = cap * 2 > max_bytes + 1 ? max_bytes + 1 : cap * 2;
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			free(buf);
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/* max_bytes + 1 bytes arrived: the file is (now) larger than allowed. */
	if (len > max_bytes) {
		free(buf);
		return -EFBIG;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

int safefile_read_flags(int rootfd, const char *relpath, size_t max_bytes, unsigned int flags,
			char **out, size_t *out_len)
{
	int fd, rc;

	if (!out || !out_len)
		return -EINVAL;
	*out = NULL;
	*out_len = 0;
	/* Leave room for the +1 probe byte and the NUL without overflowing. */
	if (max_bytes > SIZE_MAX / 2)
		return -EINVAL;
	fd = safefile_open(rootfd, relpath, max_bytes, flags);
	if (fd < 0)
		return fd;
	rc = read_all(fd, max_bytes, out, out_len);
	close(fd);
	return rc;
}

int safefile_read(int rootfd, const char *relpath, size_t max_bytes, char **out, size_t *out_len)
{
	return safefile_read_flags(rootfd, relpath, max_bytes, 0, out, out_len);
}

ssize_t safefile_read_buf(int rootfd, const char *relpath, char *buf, size_t bufsz)
{
	size_t len = 0;
	int fd;

	if (!buf || bufsz == 0)
		return -EINVAL;
	buf[0] = '\0';
	fd = safefile_open(rootfd, relpath, bufsz - 1, 0);
	if (fd < 0)
		return fd;
	/* Read until EOF or until one byte more than fits (bufsz - 1 + 1 = bufsz). */
	while (len < bufsz) {
		ssize_t n = read(fd, buf + len, bufsz - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			close(fd);
			buf[0] = '\0';
			return -err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > bufsz - 1) {
		buf[0] = '\0';
		return -EFBIG;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

int safefile_opendir(int rootfd, const char *relpath, unsigned int flags, DIR **out)
{
	const char *rel;
	struct stat st;
	int rc, pfd, fd = -1;
	DIR *d;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (rootfd < 0)
		return -EBADF;
	rc = check_relpath(relpath, &rel);
	if (rc)
		return rc;
	/* Without O_DIRECTORY, so that a symlink comes back as itself and reads as -ELOOP. */
	pfd = resolve(rootfd, rel, O_PATH, flags);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st) < 0) {
		rc = -errno;
	} else if (!S_ISDIR(st.st_mode)) {
		rc = S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	} else {
		/* An O_PATH directory fd can be the base of openat(): no /proc needed here. */
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
		rc = fd < 0 ? -errno : 0;
	}
	close(pfd);
	if (rc)
		return rc;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	*out = d;
	return 0;
}

int safefile_stat(int rootfd, const char *relpath, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;
	int tries = 0, err = 0;

	if (!relpath || !st)
		return -EINVAL;
	while (*relpath == '/')
		relpath++;
	if (!*relpath)
		return -EINVAL;
	do {
		fd = syscall(SYS_openat2, rootfd, relpath, &how, sizeof(how));
	} while (fd < 0 && errno == EAGAIN && ++tries < 8);
	if (fd < 0)
		return -errno;
	if (fstat((int)fd, st))
		err = -errno;
	close((int)fd);
	return err;
}
