// SPDX-License-Identifier: MIT
/*
 * wl_own_uffd: a process that uses userfaultfd itself, as some runtimes
 * and checkpointing tools do. It maps two 2 MiB ranges, registers "own"
 * (populated first, so it never faults) with a userfaultfd of its own in
 * missing mode, and writes "hot" continuously:
 *
 *   wl_own_uffd ADDR_FILE SECONDS
 *
 * ADDR_FILE gets "hot START END" and "own START END" lines (hex) once all
 * is set up. Exits 0 after SECONDS, 1 if userfaultfd is not available to
 * it (usage errors exit 2).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SIZE	(2UL << 20)

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int own_uffd(void *mem)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uintptr_t)mem, SIZE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) ||
	    ioctl(fd, UFFDIO_REGISTER, &reg)) {
		perror("wl_own_uffd: userfaultfd");
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	char tmp[4096];
	volatile uint64_t *hot;
	char *own;
	double end;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: wl_own_uffd ADDR_FILE SECONDS\n");
		return 2;
	}
	end = now() + atof(argv[2]);
	hot = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	own = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hot == MAP_FAILED || own == MAP_FAILED)
		return 1;
	memset(own, 1, SIZE);
	if (own_uffd(own) < 0)
		return 1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	f = fopen(tmp, "w");
	if (!f)
		return 1;
	fprintf(f, "hot %#lx %#lx\nown %#lx %#lx\n", (unsigned long)hot,
		(unsigned long)hot + SIZE, (unsigned long)own,
		(unsigned long)own + SIZE);
	if (fclose(f) || rename(tmp, argv[1]))
		return 1;
	for (uint64_t pass = 1; now() < end; pass++)
		for (size_t i = 0; i < SIZE / 8; i += 512)
			hot[i] = pass;
	return 0;
}
