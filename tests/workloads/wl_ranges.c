// SPDX-License-Identifier: MIT
/*
 * wl_ranges: the ground-truth workload. Each SPEC maps one range (its own
 * private anonymous mapping between PROT_NONE guards) and gives it a thread:
 *
 *   wl_ranges [--seconds S] [--addr-file F] [--phys-file F] [--pid-file F]
 *             [--wait-signal] [--start-delay MS] SPEC...
 *   SPEC = NAME:KIND:SIZE[:cpu=N][:tid-file=F][:delay=MS][:pct=N][:thp]
 *   KIND = write       a thread writes the range continuously
 *          read        a thread only reads it
 *          idle        populated once at start, untouched
 *          migrate     a writer that re-pins itself between CPU 0 and 1
 *                      every few ms; prints its time share per CPU at exit
 *          late-write  a writer thread created after a delay (default 500ms)
 *          sparse      about every ms (0.5 to 1.5 ms apart, at random, so
 *                      as not to lock onto a monitor's sampling), rewrites
 *                      (same value) a random pct% of the pages (pct=N,
 *                      default 20)
 *
 * (thp: the range is 2 MiB-aligned, a multiple of 2 MiB, and asks for
 * transparent huge pages with MADV_HUGEPAGE, then MADV_NOHUGEPAGE once
 * populated, so that they stay at their physical addresses; --phys-file F (root): after
 * the addr file, "NAME PSTART PEND" for each 2 MiB block of each thp range,
 * sorted, read from its own /proc/self/pagemap; each block must be one
 * transparent huge page (512 present, physically contiguous pages from a
 * 2 MiB-aligned frame, flagged THP in /proc/kpageflags), else exit 3)
 * Once all is set up it writes "NAME START END TID" lines (hex addresses,
 * TID 0 when the range has no thread yet) to the addr file (atomically),
 * (--pid-file: its process id goes to F, atomically, before anything else,
 * for a caller that cannot tell it, e.g. a shell line's child)
 * (--start-delay: sleep MS before mapping and starting anything, so that a
 * monitor attaches first and thread ids in a fresh pid namespace are
 * predictable)
 * waits for SIGUSR1 if --wait-signal, then runs S seconds (0: until
 * SIGTERM/SIGINT). Every page holds a pass number and words derived from
 * (range, word, pass); at the end all data is checked and any corruption
 * makes it exit 1 (usage errors exit 2).
 */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define GUARD		(64 * 1024UL)
#define HPAGE		(2UL << 20)
#define MIGRATE_MS	5
#define SPARSE_US	1000
#define MAX_SPECS	64

enum kind { K_WRITE, K_READ, K_IDLE, K_MIGRATE, K_LATE, K_SPARSE };

struct range {
	char name[64];
	enum kind kind;
	size_t size;
	int cpu;			/* -1: not pinned */
	char tid_file[256];
	unsigned int delay_ms;
	unsigned int pct;		/* sparse: pages written per period */
	bool thp;
	unsigned int id;
	uint64_t *mem;
	size_t pages;
	pthread_t thread;
	bool has_thread;
	atomic_int tid;
	/* writers: pass of the current sweep, and where it stopped */
	uint64_t pass;
	size_t stop_page;
	/* migrate: ns spent on each CPU */
	uint64_t cpu_ns[2];
	uint64_t read_errors;
};

static struct range ranges[MAX_SPECS];
static int nr_ranges;
static atomic_int stop;
static atomic_int go;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Word w (w >= 1) of page p of range id in pass `pass`; word 0 is pass. */
static uint64_t pattern(unsigned int id, size_t p, size_t w, uint64_t pass)
{
	return mix(((uint64_t)id << 48) ^ ((uint64_t)p << 12) ^ w ^
		   (pass << 56) ^ (pass * 0x100000001b3ULL));
}

static void fill_page(struct range *r, size_t p, uint64_t pass)
{
	uint64_t *pg = r->mem + p * WORDS;
	size_t w;

	for (w = 1; w < WORDS; w++)
		pg[w] = pattern(r->id, p, w, pass);
	__atomic_store_n(&pg[0], pass, __ATOMIC_RELEASE);
}

static int check_page(const struct range *r, size_t p, uint64_t pass)
{
	const uint64_t *pg = r->mem + p * WORDS;
	size_t w;

	if (pg[0] != pass)
		return -1;
	for (w = 1; w < WORDS; w++)
		if (pg[w] != pattern(r->id, p, w, pass))
			return -1;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void write_tid_file(const char *path, int tid)
{
	char tmp[300];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		return;
	}
	fprintf(f, "%d\n", tid);
	fclose(f);
	if (rename(tmp, path))
		perror(path);
}

static void thread_start(struct range *r)
{
	int tid = (int)syscall(SYS_gettid);

	if (r->cpu >= 0 && pin(r->cpu))
		fprintf(stderr, "wl_ranges: %s: cannot pin to CPU %d: %s\n",
			r->name, r->cpu, strerror(errno));
	atomic_store(&r->tid, tid);
	if (r->tid_file[0])
		write_tid_file(r->tid_file, tid);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* migrate: charge the CPU time since the last page to the CPU we are on. */
static void migrate_tick(struct range *r, int *cur, uint64_t *last_pin,
			 uint64_t *last_cpu)
{
	uint64_t t = now_ns(), c = thread_cpu_ns();
	int on = sched_getcpu();

	if (on == 0 || on == 1)
		r->cpu_ns[on] += c - *last_cpu;
	*last_cpu = c;
	if (t - *last_pin >= MIGRATE_MS * 1000000ULL) {
		*cur = !*cur;
		pin(*cur);
		*last_pin = t;
	}
}

static void writer_loop(struct range *r)
{
	uint64_t last_pin = now_ns(), last_cpu = thread_cpu_ns();
	int cur = 0;
	size_t p;

	if (r->kind == K_MIGRATE)
		pin(cur);
	for (r->pass = 1; !atomic_load(&stop); r->pass++) {
		for (p = 0; p < r->pages; p++) {
			if (atomic_load(&stop)) {
				r->stop_page = p;
				return;
			}
			fill_page(r, p, r->pass);
			if (r->kind == K_MIGRATE)
				migrate_tick(r, &cur, &last_pin, &last_cpu);
		}
	}
	/* the loop ended on its condition: pass was bumped past the last */
	r->pass--;
	r->stop_page = r->pages;
}

static void reader_loop(struct range *r)
{
	volatile uint64_t sink = 0;
	size_t p, w;

	while (!atomic_load(&stop)) {
		for (p = 0; p < r->pages && !atomic_load(&stop); p++) {
			const uint64_t *pg = r->mem + p * WORDS;
			uint64_t s = 0;

			for (w = 0; w < WORDS; w++)
				s += pg[w];
			sink += s;
			if (pg[0] != 0 || pg[1] != pattern(r->id, p, 1, 0))
				r->read_errors++;
		}
	}
	(void)sink;
}

/*
 * sparse: a store of the value a page already holds (word 0, pass 0) is a
 * write that leaves the data as verify() expects it.
 */
static void sparse_loop(struct range *r)
{
	uint64_t seed = r->id, next = now_ns();
	struct timespec ts;
	size_t p;

	while (!atomic_load(&stop)) {
		for (p = 0; p < r->pages; p++) {
			uint64_t *pg = r->mem + p * WORDS;

			if (mix(seed++) % 100 < r->pct)
				__atomic_store_n(&pg[0], 0, __ATOMIC_RELEASE);
		}
		next += (SPARSE_US / 2 + mix(seed++) % SPARSE_US) * 1000ULL;
		ts.tv_sec = (time_t)(next / 1000000000ULL);
		ts.tv_nsec = (long)(next % 1000000000ULL);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

static void *thread_main(void *arg)
{
	struct range *r = arg;

	if (r->kind == K_LATE) {
		uint64_t until = now_ns() + r->delay_ms * 1000000ULL;

		while (!atomic_load(&stop) && now_ns() < until)
			usleep(1000);
	}
	thread_start(r);
	while (!atomic_load(&go) && !atomic_load(&stop))
		usleep(1000);
	if (r->kind == K_READ)
		reader_loop(r);
	else if (r->kind == K_SPARSE)
		sparse_loop(r);
	else
		writer_loop(r);
	return NULL;
}

static void *late_spawner(void *arg)
{
	struct range *r = arg;

	return thread_main(r);
}

static size_t parse_size(const char *s, bool *ok)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	*ok = end != s;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		*ok = false;
	return (size_t)v;
}

static int parse_spec(const char *spec, struct range *r)
{
	char buf[512], *save = NULL, *tok;
	bool ok;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	r->cpu = -1;
	r->delay_ms = 500;
	r->pct = 20;
	for (tok = strtok_r(buf, ":", &save); tok;
	     tok = strtok_r(NULL, ":", &save), i++) {
		if (i == 0) {
			snprintf(r->name, sizeof(r->name), "%s", tok);
		} else if (i == 1) {
			if (!strcmp(tok, "write")) r->kind = K_WRITE;
			else if (!strcmp(tok, "read")) r->kind = K_READ;
			else if (!strcmp(tok, "idle")) r->kind = K_IDLE;
			else if (!strcmp(tok, "migrate")) r->kind = K_MIGRATE;
			else if (!strcmp(tok, "late-write")) r->kind = K_LATE;
			else if (!strcmp(tok, "sparse")) r->kind = K_SPARSE;
			else {
				fprintf(stderr, "wl_ranges: bad kind '%s' in '%s': expected write, read, idle, migrate, late-write or sparse\n",
					tok, spec);
				return -1;
			}
		} else if (i == 2) {
			r->size = parse_size(tok, &ok);
			if (!ok || !r->size) {
				fprintf(stderr, "wl_ranges: bad size '%s' in '%s': expected bytes with an optional K/M/G unit\n",
					tok, spec);
				return -1;
			}
		} else if (!strncmp(tok, "cpu=", 4)) {
			r->cpu = atoi(tok + 4);
		} else if (!strncmp(tok, "tid-file=", 9)) {
			snprintf(r->tid_file, sizeof(r->tid_file), "%s", tok + 9);
		} else if (!strncmp(tok, "delay=", 6)) {
			r->delay_ms = (unsigned int)atoi(tok + 6);
		} else if (!strncmp(tok, "pct=", 4)) {
			r->pct = (unsigned int)atoi(tok + 4);
		} else if (!strcmp(tok, "thp")) {
			r->thp = true;
		} else {
			fprintf(stderr, "wl_ranges: bad option '%s' in '%s': expected cpu=N, tid-file=F, delay=MS, pct=N or thp\n",
				tok, spec);
			return -1;
		}
	}
	if (i < 3) {
		fprintf(stderr, "wl_ranges: bad spec '%s': expected NAME:KIND:SIZE[:cpu=N][:tid-file=F]\n",
			spec);
		return -1;
	}
	r->size = (r->size + PAGE - 1) & ~(PAGE - 1);
	if (r->thp)
		r->size = (r->size + HPAGE - 1) & ~(HPAGE - 1);
	r->pages = r->size / PAGE;
	return 0;
}

static int map_range(struct range *r)
{
	size_t guard = r->thp ? HPAGE : GUARD;
	char *base = mmap(NULL, r->size + 2 * guard + (r->thp ? HPAGE : 0),
			  PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			  -1, 0);
	char *mem;
	size_t p;

	if (base == MAP_FAILED)
		return -1;
	mem = base + guard;
	if (r->thp)
		mem = (char *)(((uintptr_t)mem + HPAGE - 1) & ~(HPAGE - 1));
	if (mprotect(mem, r->size, PROT_READ | PROT_WRITE))
		return -1;
	if (r->thp && madvise(mem, r->size, MADV_HUGEPAGE))
		return -1;
	r->mem = (uint64_t *)mem;
	for (p = 0; p < r->pages; p++)
		fill_page(r, p, 0);
	/*
	 * The huge pages are made: keep them where they are. A huge page a
	 * write splits (under write-protect monitoring) is then never
	 * collapsed again by khugepaged, which would copy it to another
	 * physical block (the ground truth of physical monitoring).
	 */
	if (r->thp && madvise(mem, r->size, MADV_NOHUGEPAGE))
		return -1;
	return 0;
}

static int write_addr_file(const char *path)
{
	char tmp[4200];
	FILE *f;
	int i;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		return -1;
	}
	for (i = 0; i < nr_ranges; i++)
		fprintf(f, "%s %#lx %#lx %d\n", ranges[i].name,
			(unsigned long)ranges[i].mem,
			(unsigned long)ranges[i].mem + ranges[i].size,
			atomic_load(&ranges[i].tid));
	fclose(f);
	return rename(tmp, path);
}

/* All data must be what the threads wrote; returns the bad page count. */
static size_t verify(struct range *r)
{
	size_t p, bad = 0;

	for (p = 0; p < r->pages; p++) {
		uint64_t want = 0;

		if (r->kind == K_WRITE || r->kind == K_MIGRATE ||
		    r->kind == K_LATE) {
			if (r->pass)
				want = p < r->stop_page ? r->pass : r->pass - 1;
		}
		if (check_page(r, p, want))
			bad++;
	}
	return bad;
}

static void on_stop(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

static void on_go(int sig)
{
	(void)sig;
	atomic_store(&go, 1);
}

struct phys_block {
	uint64_t start;
	const char *name;
};

static int cmp_block(const void *a, const void *b)
{
	const struct phys_block *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* The frame of one 2 MiB block if it is one THP, else 0. */
static uint64_t thp_frame(int pm, int kf, uintptr_t va)
{
	static uint64_t e[HPAGE / PAGE];
	uint64_t pfn, flags;
	size_t i;

	if (pread(pm, e, sizeof(e), (off_t)(va / PAGE * 8)) != sizeof(e))
		return 0;
	pfn = e[0] & ((1ULL << 55) - 1);
	if (!pfn || pfn % (HPAGE / PAGE))
		return 0;
	for (i = 0; i < HPAGE / PAGE; i++)
		if (!(e[i] >> 63) || (e[i] & ((1ULL << 55) - 1)) != pfn + i)
			return 0;
	if (pread(kf, &flags, 8, (off_t)(pfn * 8)) != 8 || !(flags >> 22 & 1))
		return 0;
	return pfn;
}

static int write_phys_file(const char *path)
{
	static struct phys_block b[MAX_SPECS * 64];
	size_t n = 0, k;
	char tmp[4200];
	int pm = open("/proc/self/pagemap", O_RDONLY);
	int kf = open("/proc/kpageflags", O_RDONLY);
	FILE *f;

	if (pm < 0 || kf < 0)
		return -1;
	for (int i = 0; i < nr_ranges; i++) {
		struct range *r = &ranges[i];

		for (size_t off = 0; r->thp && off < r->size; off += HPAGE) {
			uint64_t pfn = thp_frame(pm, kf, (uintptr_t)r->mem + off);

			if (!pfn) {
				fprintf(stderr, "wl_ranges: block %#lx of %s is not one transparent huge page\n",
					(unsigned long)r->mem + off, r->name);
				exit(3);
			}
			if (n < sizeof(b) / sizeof(b[0]))
				b[n++] = (struct phys_block){ pfn * PAGE, r->name };
		}
	}
	close(pm);
	close(kf);
	qsort(b, n, sizeof(b[0]), cmp_block);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	for (k = 0; k < n; k++)
		fprintf(f, "%s %#llx %#llx\n", b[k].name,
			(unsigned long long)b[k].start,
			(unsigned long long)(b[k].start + HPAGE));
	fclose(f);
	return rename(tmp, path);
}

static void usage(void)
{
	fprintf(stderr, "usage: wl_ranges [--seconds S] [--addr-file F] [--phys-file F] [--pid-file F] [--wait-signal] [--start-delay MS] NAME:KIND:SIZE[:cpu=N][:tid-file=F][:delay=MS]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr_file = NULL, *phys_file = NULL, *pid_file = NULL;
	double seconds = 10;
	bool wait_signal = false;
	unsigned long start_delay_ms = 0;
	uint64_t end_ns;
	sigset_t set;
	int i, bad_total = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			char *e;

			seconds = strtod(argv[++i], &e);
			if (*e || seconds < 0) {
				fprintf(stderr, "wl_ranges: bad --seconds '%s': expected a number >= 0\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--addr-file") && i + 1 < argc) {
			addr_file = argv[++i];
		} else if (!strcmp(argv[i], "--phys-file") && i + 1 < argc) {
			phys_file = argv[++i];
		} else if (!strcmp(argv[i], "--pid-file") && i + 1 < argc) {
			pid_file = argv[++i];
		} else if (!strcmp(argv[i], "--wait-signal")) {
			wait_signal = true;
		} else if (!strcmp(argv[i], "--start-delay") && i + 1 < argc) {
			start_delay_ms = strtoul(argv[++i], NULL, 10);
		} else if (argv[i][0] == '-') {
			usage();
		} else {
			if (nr_ranges == MAX_SPECS) {
				fprintf(stderr, "wl_ranges: at most %d ranges\n", MAX_SPECS);
				return 2;
			}
			if (parse_spec(argv[i], &ranges[nr_ranges]))
				return 2;
			ranges[nr_ranges].id = (unsigned int)nr_ranges + 1;
			nr_ranges++;
		}
	}
	if (!nr_ranges)
		usage();

	if (pid_file)
		write_tid_file(pid_file, (int)getpid());
	if (start_delay_ms)
		usleep(start_delay_ms * 1000);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	signal(SIGUSR1, on_go);
	for (i = 0; i < nr_ranges; i++) {
		if (map_range(&ranges[i])) {
			fprintf(stderr, "wl_ranges: cannot map %zu bytes for %s: %s\n",
				ranges[i].size, ranges[i].name, strerror(errno));
			return 2;
		}
	}
	for (i = 0; i < nr_ranges; i++) {
		struct range *r = &ranges[i];

		if (r->kind == K_IDLE)
			continue;
		if (pthread_create(&r->thread, NULL,
				   r->kind == K_LATE ? late_spawner : thread_main, r)) {
			fprintf(stderr, "wl_ranges: cannot start a thread\n");
			return 2;
		}
		r->has_thread = true;
		if (r->kind == K_LATE)
			continue;
		while (!atomic_load(&r->tid))
			usleep(100);
	}
	if (addr_file && write_addr_file(addr_file)) {
		perror(addr_file);
		atomic_store(&stop, 1);
	}
	if (phys_file && write_phys_file(phys_file)) {
		perror(phys_file);
		atomic_store(&stop, 1);
	}
	if (wait_signal) {
		sigemptyset(&set);
		while (!atomic_load(&go) && !atomic_load(&stop))
			sigsuspend(&set);
	}
	atomic_store(&go, 1);
	end_ns = now_ns() + (uint64_t)(seconds * 1e9);
	while (!atomic_load(&stop) && (seconds == 0 || now_ns() < end_ns))
		usleep(10000);
	atomic_store(&stop, 1);
	for (i = 0; i < nr_ranges; i++)
		if (ranges[i].has_thread)
			pthread_join(ranges[i].thread, NULL);
	for (i = 0; i < nr_ranges; i++) {
		struct range *r = &ranges[i];
		size_t bad = verify(r);

		if (r->kind == K_MIGRATE) {
			double t = (double)(r->cpu_ns[0] + r->cpu_ns[1]);

			printf("%s cpu0=%.1f%% cpu1=%.1f%%\n", r->name,
			       t ? 100.0 * r->cpu_ns[0] / t : 0,
			       t ? 100.0 * r->cpu_ns[1] / t : 0);
		}
		if (bad || r->read_errors) {
			fprintf(stderr, "wl_ranges: %s: %zu corrupt pages, %llu bad reads\n",
				r->name, bad, (unsigned long long)r->read_errors);
			bad_total++;
		}
	}
	fflush(stdout);
	return bad_total ? 1 : 0;
}
