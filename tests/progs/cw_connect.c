// SPDX-License-Identifier: GPL-2.0
/*
 * cw_connect: test trigger. Connects COUNT times to ADDR:PORT (TCP or UDP,
 * IPv4, IPv6 or IPv4-mapped IPv6 on an AF_INET6 socket) and reports how many
 * connect() calls were made. Run only inside a test's own network namespace.
 *
 *   cw_connect [-u] [-n COUNT] [-6] ADDR PORT [IGNORED...]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int udp = 0, force6 = 0, opt;
	long count = 1, made = 0;
	struct sockaddr_storage ss = {};
	socklen_t slen;

	while ((opt = getopt(argc, argv, "+un:6")) != -1) {
		switch (opt) {
		case 'u':
			udp = 1;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case '6':
			force6 = 1;
			break;
		default:
			fprintf(stderr, "usage: cw_connect [-u] [-n COUNT] [-6] ADDR PORT\n");
			return 2;
		}
	}
	if (argc - optind < 2 || count < 1) { /* extra arguments are ignored (hostile-argv tests) */
		fprintf(stderr, "usage: cw_connect [-u] [-n COUNT] [-6] ADDR PORT\n");
		return 2;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	int port = atoi(argv[optind + 1]);

	if (!force6 && inet_pton(AF_INET, argv[optind], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		slen = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[optind], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		slen = sizeof(*s6);
	} else {
		fprintf(stderr, "cw_connect: bad address %s\n", argv[optind]);
		return 2;
	}
	for (long i = 0; i < count; i++) {
		int fd = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			perror("socket");
			return 1;
		}
		if (!udp)
			fcntl(fd, F_SETFL, O_NONBLOCK);
		connect(fd, (struct sockaddr *)&ss, slen);
		made++;
		close(fd);
	}
	printf("%ld\n", made);
	return 0;
}
