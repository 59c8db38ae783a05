/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_parse: map a cgroup v2 path to "who is this" - host process, pod, container of a
 * pod, CRI-O's conmon, or a Docker container outside Kubernetes.
 *
 * Input is the path relative to the cgroup2 mount, as found in /proc/<pid>/cgroup ("0::<path>")
 * or built while walking the mount. A leading '/' is accepted. The parser is pure: no I/O, no
 * allocation, bounded work (at most CG_PATH_MAX bytes are looked at), and every output string is
 * a fixed-size buffer that is always NUL-terminated.
 *
 * Layouts recognised (facts section 4):
 *   systemd driver:  kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/
 *                      cri-containerd-<id>.scope | crio-<id>.scope | crio-conmon-<id>.scope |
 *                      docker-<id>.scope
 *                    kubepods.slice/kubepods-pod<uid_>.slice/...            (guaranteed)
 *   cgroupfs driver: kubepods/burstable/pod<uid>/<id> | crio-<id> | crio-conmon-<id>
 *                    kubepods/pod<uid>/<id>                                  (guaranteed)
 *   Docker:          <anything>/docker-<id>.scope, <anything>/docker/<id>
 * where <uid_> is the pod UID with '-' written as '_' (systemd uses '-' as its slice separator)
 * and <id> is exactly 64 lowercase hex digits.
 *
 * Leading directories are allowed (a test prefix, or a kind node's own cgroup: kind runs its
 * inner kubelet with cgroup root "kubelet", giving slices named kubelet-kubepods-...). The
 * *outermost* kubepods hierarchy decides: a container that can write its own cgroupfs could
 * otherwise create "kubepods.slice/kubepods-pod<victim>.slice/..." below itself and have its
 * activity blamed on another pod. A second kubepods hierarchy below a container is reported
 * through the `nested` flag, and `prefix_len` says how many bytes preceded the hierarchy so a
 * caller on a real node can insist on 0 (or on its configured test prefix).
 */
#ifndef CREDWATCH_CGROUP_PARSE_H
#define CREDWATCH_CGROUP_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest path looked at; longer input is refused whole (-ENAMETOOLONG), never cut. */
#define CG_PATH_MAX 4096
/* cgroupfs directory names are bounded by NAME_MAX like any other. */
#define CG_NAME_MAX 255
/* 36 = canonical UUID; static pods use 32 hex digits (an md5 of the manifest). */
#define CG_POD_UID_BUF	    37
#define CG_CONTAINER_ID_LEN 64
#define CG_CONTAINER_ID_BUF (CG_CONTAINER_ID_LEN + 1)

enum cg_class {
	CG_CLASS_UNKNOWN = 0, /* refused input, or a kubepods path that does not parse */
	CG_CLASS_HOST,	      /* not below kubepods nor a Docker container: a host process */
	CG_CLASS_POD,	      /* the pod's own cgroup, no container below it in the path */
	CG_CLASS_CONTAINER,   /* a container of a pod (the sandbox/pause container included) */
	CG_CLASS_CONMON,      /* CRI-O's conmon monitor: runtime machinery, not the workload */
	CG_CLASS_DOCKER,      /* a Docker container outside Kubernetes */
};

enum cg_runtime {
	CG_RT_UNKNOWN =
		0, /* e.g. a bare <id> under cgroupfs: containerd and dockershim look alike */
	CG_RT_CONTAINERD,
	CG_RT_CRIO,
	CG_RT_DOCKER,
};

enum cg_driver {
	CG_DRIVER_UNKNOWN = 0,
	CG_DRIVER_SYSTEMD,
	CG_DRIVER_CGROUPFS,
};

enum cg_qos {
	CG_QOS_UNKNOWN = 0, /* not a pod path, or not parsed that far */
	CG_QOS_GUARANTEED,  /* no QoS level in the path */
	CG_QOS_BURSTABLE,
	CG_QOS_BESTEFFORT,
};

struct cg_info {
	enum cg_class cls;
	enum cg_runtime runtime;
	enum cg_driver driver;
	enum cg_qos qos;
	/* Another kubepods hierarchy exists below the container (kind-in-pod, or a spoof). */
	bool nested;
	/* Bytes of the input before the kubepods root / Docker component ("" on a real node). */
	size_t prefix_len;
	/* Canonical pod UID (dashed, lowercase), "" when unknown. */
	char pod_uid[CG_POD_UID_BUF];
	/* 64 lowercase hex digits, "" when unknown. */
	char container_id[CG_CONTAINER_ID_BUF];
};

/*
 * Parse a NUL-terminated cgroup path into *out (always fully initialised, also on error).
 * Returns 0 when out->cls is not CG_CLASS_UNKNOWN, otherwise a negative errno:
 *   -EINVAL        NULL or empty path, "." or ".." component, over-long component, or a
 *                  kubepods path that does not match a known layout (fields are filled as far
 *                  as parsing got, e.g. the pod UID of an unrecognised child of a pod cgroup)
 *   -ENAMETOOLONG  path longer than CG_PATH_MAX
 * "/" (the root cgroup) is a host path; "" is refused so that a failed lookup that produced an
 * empty string is not mistaken for the host.
 */
int cg_parse(const char *path, struct cg_info *out);

/* Stable lowercase names for logs and JSON ("host", "containerd", "systemd", "burstable"...). */
const char *cg_class_str(enum cg_class c);
const char *cg_runtime_str(enum cg_runtime r);
const char *cg_driver_str(enum cg_driver d);
const char *cg_qos_str(enum cg_qos q);

#endif
