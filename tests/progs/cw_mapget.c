// SPDX-License-Identifier: GPL-2.0
/*
 * cw_mapget: test tool. Dumps a BPF map of a running agent, read from the kernel: the map
 * named NAME among the maps the process PID holds (its /proc/PID/fdinfo), one entry a line.
 *
 *   cw_mapget PID cw_credfiles   "<major>:<minor> <ino> kind=<k> flags=<f> owner_pod_cgid=<id>"
 *   cw_mapget PID cw_podcgs      "<cgroup id> <pod cgroup id>"
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "credwatch_abi.h"

static int map_of(const char *pid, const char *name)
{
	char path[512], line[256];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned int id;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			struct bpf_map_info info = {};
			__u32 len = sizeof(info);
			int fd;

			if (sscanf(line, "map_id: %u", &id) != 1)
				continue;
			fd = bpf_map_get_fd_by_id(id);
			if (fd < 0)
				continue;
			if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, name)) {
				fclose(f);
				closedir(d);
				return fd;
			}
			close(fd);
		}
		fclose(f);
	}
	closedir(d);
	return -ENOENT;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: cw_mapget PID cw_credfiles|cw_podcgs\n");
		return 2;
	}
	fd = map_of(argv[1], argv[2]);
	if (fd < 0) {
		fprintf(stderr, "cw_mapget: no map %s in process %s: %s\n", argv[2], argv[1],
			strerror(-fd));
		return 1;
	}
	if (!strcmp(argv[2], "cw_credfiles")) {
		struct cw_file_key k, *prev = NULL;
		struct cw_cred_val v;

		while (!bpf_map_get_next_key(fd, prev, &k)) {
			if (!bpf_map_lookup_elem(fd, &k, &v))
				printf("%u:%u %llu kind=%u flags=%u owner_pod_cgid=%llu\n",
				       k.dev >> 20, k.dev & 0xfffff, (unsigned long long)k.ino,
				       v.kind, v.flags, (unsigned long long)v.owner_pod_cgid);
			prev = &k;
		}
	} else {
		__u64 k, *prev = NULL, v;

		while (!bpf_map_get_next_key(fd, prev, &k)) {
			if (!bpf_map_lookup_elem(fd, &k, &v))
				printf("%llu %llu\n", (unsigned long long)k, (unsigned long long)v);
			prev = &k;
		}
	}
	return 0;
}
