/* SPDX-License-Identifier: GPL-2.0 */
/*
 * safefile: read files below a root directory that hostile pods may have influenced.
 *
 * The root is the agent's --host-root (e.g. /host in a DaemonSet). Paths below it are written
 * by kubelet, containerd and, through hostPath volumes and container rootfs, by pods. So:
 *
 *  - resolution never leaves the root: openat2(2) with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
 *    treats absolute symlinks and ".." as relative to the root (a planted "x -> /etc" lands on
 *    <root>/etc), and refuses /proc-style magic links. A ".." in the path the caller gives is
 *    refused outright (-EXDEV): there is no legitimate use for one, clamped or not;
 *  - the last component is never followed (O_NOFOLLOW): a symlink there gives -ELOOP. (A
 *    trailing slash, "link/", makes the kernel resolve it like an intermediate one, still
 *    inside the root, as POSIX requires.) The kubelet's atomic-writer layout makes a projected
 *    token "token -> ..data/token", so read "<volume>/..data/token": intermediate symlinks are
 *    followed, inside the root;
 *  - the file is first opened O_PATH, which has no side effects even on a FIFO or a device
 *    node, and must be a regular file no larger than max_bytes (-EFBIG, decided from fstat
 *    before a byte is read). Only then is it reopened for reading through /proc/self/fd, which
 *    reopens that same inode rather than resolving the name again (no swap in between), with
 *    O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
 *  - reading stops at max_bytes + 1 bytes in case the file grew (or, like procfs and sysfs,
 *    reports a size that is not its length);
 *  - on kernels without openat2 (ENOSYS, before 5.6) the path is walked one component at a
 *    time with openat(O_PATH | O_NOFOLLOW | O_DIRECTORY): there every symlink is refused
 *    (-ELOOP), intermediate ones included.
 *
 * All functions return a negative errno on failure and keep no state.
 */
#ifndef CREDWATCH_SAFEFILE_H
#define CREDWATCH_SAFEFILE_H

#include <dirent.h>
#include <stddef.h>
#include <sys/types.h>

/* Force the openat() walk, as on a kernel without openat2 (tests, and a kill switch). */
#define SAFEFILE_WALK 0x1u

/*
 * Open relpath below rootfd for reading. Returns a file descriptor (O_RDONLY, O_CLOEXEC,
 * O_NONBLOCK) of a regular file whose size was at most max_bytes, or:
 *   -EINVAL   NULL path, or the file is not a regular file nor a directory (FIFO, socket,
 *             device): it was never opened for reading
 *   -EISDIR   a directory
 *   -ELOOP    the last component (or, in the walk, any component) is a symlink
 *   -EXDEV    relpath contains a ".." component
 *   -EFBIG    larger than max_bytes
 *   -ENAMETOOLONG, -EBADF, and whatever resolution returned (-ENOENT, -EACCES, ...)
 */
int safefile_open(int rootfd, const char *relpath, size_t max_bytes, unsigned int flags);

/*
 * Read the whole file into a malloc'd buffer (NUL-terminated, so text can be used as a string;
 * *out_len excludes the NUL). The caller frees *out. On error *out is NULL and *out_len 0.
 */
int safefile_read(int rootfd, const char *relpath, size_t max_bytes, char **out, size_t *out_len);

/* The same with flags (SAFEFILE_WALK). */
int safefile_read_flags(int rootfd, const char *relpath, size_t max_bytes, unsigned int flags,
			char **out, size_t *out_len);

/*
 * Read into buf (bufsz bytes, at most bufsz - 1 of file plus a NUL). Returns the length, or a
 * negative errno (-EFBIG when the file does not fit).
 */
ssize_t safefile_read_buf(int rootfd, const char *relpath, char *buf, size_t bufsz);

/*
 * Open the directory relpath below rootfd for listing ("" or "." is the root itself). The
 * same resolution rules apply; the last component may not be a symlink. Entries are names
 * only: open them with safefile_open() on "relpath/name", never by following d_name yourself.
 */
int safefile_opendir(int rootfd, const char *relpath, unsigned int flags, DIR **out);

/*
 * file side (issue 14): stat relpath below rootfd, following symlinks (the last one too) as
 * if rootfd were "/": absolute links and ".." stay inside the root. Nothing is opened for
 * reading (O_PATH). rootfd may be any directory, e.g. /proc/<pid>/root of a container's
 * process (resolution then follows that mount namespace's mounts). 0 or -errno (-ENOSYS
 * before openat2, Linux 5.6).
 */
struct stat;
int safefile_stat(int rootfd, const char *relpath, struct stat *st);

#endif
