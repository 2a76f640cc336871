// SPDX-License-Identifier: MIT
/*
 * Fault event source: which CPU and thread made each page fault of a
 * process (docs/ARCHITECTURE.md, "Write monitoring of a live process").
 *
 * The BPF source (fault_bpf.c) is tried first; what follows is the perf
 * fallback, used where BPF programs cannot be loaded or attached.
 *
 * One perf event per online CPU, system-wide (pid -1): per-thread events
 * would miss threads created later, and inherited ones would need an event
 * per thread per CPU. Samples of other processes are dropped in user space
 * by the tgid that PERF_SAMPLE_TID gives (the tracepoint filter only knows
 * common_pid, a thread id, so it cannot do this).
 *
 * Preferred event: the tracepoint exceptions:page_fault_user, whose raw
 * data has the address and the x86 error code (bit 1: write). Its sibling
 * page_fault_kernel (faults taken in the kernel on user memory, e.g. a
 * read() into an armed buffer) shares the CPU's ring buffer. Field offsets
 * come from the tracefs format files. Without the tracepoint, the software
 * event page-faults gives the address but not whether it was a write.
 * Faults outside the armed pages are dropped here too, so that both
 * sources report the same faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "primitives/fault_bpf.h"
#include "primitives/fault_events.h"

#define X86_PF_WRITE		0x2UL
#define RING_BUDGET		(64UL << 20)	/* all CPUs together */
#define RING_MAX		(4UL << 20)	/* one CPU */
#define RING_MIN		(256UL << 10)
#define MAX_RECORD		65536		/* header.size is 16 bits */

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

enum fault_mode {
	MODE_TRACEPOINT,
	MODE_SOFTWARE,
};

/* Where a tracepoint's fields sit in its raw sample data. */
struct tp_event {
	const char *name;
	unsigned int id;
	unsigned int type_off, type_size;
	unsigned int addr_off, addr_size;
	unsigned int ec_off, ec_size;
};

struct fault_ring {
	int cpu;
	int fd;			/* owns the ring */
	int fd_kernel;		/* page_fault_kernel, output to fd; or -1 */
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t data_size;	/* power of two */
	size_t map_size;
};

struct udamon_fault_source {
	pid_t tgid;
	struct udamon_fault_bpf *bpf;	/* the BPF source, or NULL: perf */
	uint64_t *armed;		/* perf: sorted pages that count */
	uint64_t page_mask;
	size_t nr_armed, cap_armed;
	enum fault_mode mode;
	struct tp_event tp[2];	/* [0] user, [1] kernel (id 0: absent) */
	struct fault_ring *rings;
	size_t nr_rings;
	uint64_t lost;
	unsigned char *tmp;	/* a record that wraps the ring end */
	char mech[1024];
};

static long sys_perf_event_open(struct perf_event_attr *attr, pid_t pid,
				int cpu, int group_fd, unsigned long flags)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
}

/* ---- tracefs format files ---------------------------------------------- */

static int parse_uint_after(const char *line, const char *key, unsigned int *v)
{
	const char *p = strstr(line, key);
	char *end;
	unsigned long x;

	if (!p)
		return -EINVAL;
	p += strlen(key);
	errno = 0;
	x = strtoul(p, &end, 10);
	if (errno || end == p || *end != ';' || x > 65535)
		return -EINVAL;
	*v = (unsigned int)x;
	return 0;
}

/* Is @name the field name of the declaration that ends at @semi? */
static bool decl_names(const char *decl, const char *semi, const char *name)
{
	size_t n = strlen(name);
	const char *start = semi - n;

	if (start < decl || strncmp(start, name, n))
		return false;
	return start == decl || start[-1] == ' ' || start[-1] == '\t' ||
	       start[-1] == '*';
}

int udamon_tp_format_field(const char *format, const char *name,
			   unsigned int *offset, unsigned int *size)
{
	const char *line = format;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[512];
		const char *decl, *semi;

		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = eol ? eol + 1 : NULL;

		decl = strstr(buf, "field:");
		if (!decl)
			continue;
		decl += strlen("field:");
		semi = strchr(decl, ';');
		if (!semi || !decl_names(decl, semi, name))
			continue;
		if (parse_uint_after(semi, "offset:", offset) ||
		    parse_uint_after(semi, "size:", size))
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

static int read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return 0;
}

/* The tracefs root that has the exceptions events, mounting it if absent. */
static const char *find_tracefs(void)
{
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(tracefs_dirs) / sizeof(tracefs_dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", tracefs_dirs[i]);
		if (access(path, F_OK) == 0)
			return tracefs_dirs[i];
	}
	if (mount("nodev", tracefs_dirs[0], "tracefs", 0, NULL) == 0)
		return tracefs_dirs[0];
	return NULL;
}

static int load_tp_event(const char *root, const char *name,
			 struct tp_event *ev, char *why, size_t whylen)
{
	char path[256], text[4096];
	unsigned int id;
	int ret;

	snprintf(path, sizeof(path), "%s/events/exceptions/%s/id", root, name);
	ret = read_small_file(path, text, sizeof(text));
	if (ret) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	if (sscanf(text, "%u", &id) != 1) {
		snprintf(why, whylen, "%s holds \"%.32s\", not a number", path,
			 text);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/events/exceptions/%s/format", root,
		 name);
	ret = read_small_file(path, text, sizeof(text));
	if (ret) {
		snprintf(why, whylen, "cannot read %s: %s", path, strerror(-ret));
		return ret;
	}
	if (udamon_tp_format_field(text, "common_type", &ev->type_off,
				   &ev->type_size) ||
	    udamon_tp_format_field(text, "address", &ev->addr_off,
				   &ev->addr_size) ||
	    udamon_tp_format_field(text, "error_code", &ev->ec_off,
				   &ev->ec_size)) {
		snprintf(why, whylen,
			 "%s lacks the fields common_type, address, error_code",
			 path);
		return -ENOENT;
	}
	if (ev->type_size != 2 || (ev->addr_size != 4 && ev->addr_size != 8) ||
	    (ev->ec_size != 4 && ev->ec_size != 8)) {
		snprintf(why, whylen, "%s has unexpected field sizes", path);
		return -EINVAL;
	}
	ev->name = name;
	ev->id = id;
	return 0;
}

/* ---- CPUs ---------------------------------------------------------------- */

/* Parse a kernel cpulist like "0-3,5"; bit i of @set[i] = online. */
static int parse_online(const char *text, bool *set, int max)
{
	const char *p = text;

	while (*p && *p != '\n') {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0)
			return -EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				return -EINVAL;
			p = end;
		}
		for (; a <= b && a < max; a++)
			set[a] = true;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int online_cpus(bool **setp, int *maxp)
{
	int max = (int)sysconf(_SC_NPROCESSORS_CONF);
	char text[4096];
	bool *set;
	int i;

	if (max < 1)
		max = 1;
	max += 64;	/* conf may count only present CPUs */
	set = calloc((size_t)max, sizeof(*set));
	if (!set)
		return -ENOMEM;
	if (read_small_file("/sys/devices/system/cpu/online", text,
			    sizeof(text)) ||
	    parse_online(text, set, max)) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		for (i = 0; i < n && i < max; i++)
			set[i] = true;
	}
	*setp = set;
	*maxp = max;
	return 0;
}

/* ---- opening ------------------------------------------------------------- */

static int perf_paranoid(void)
{
	char text[32];

	if (read_small_file("/proc/sys/kernel/perf_event_paranoid", text,
			    sizeof(text)))
		return 99;
	return atoi(text);
}

static void explain_open_error(int err, const char *what, int cpu,
			       char *msg, size_t len)
{
	if (err == EACCES || err == EPERM)
		snprintf(msg, len,
			 "perf_event_open(%s, cpu %d, all processes): %s; "
			 "system-wide perf events need root or CAP_PERFMON, "
			 "or kernel.perf_event_paranoid <= 0 (it is %d)",
			 what, cpu, strerror(err), perf_paranoid());
	else if (err == EMFILE || err == ENFILE)
		snprintf(msg, len,
			 "perf_event_open(%s, cpu %d): %s; raise the open file "
			 "limit (ulimit -n)", what, cpu, strerror(err));
	else if (err == ENOSYS)
		snprintf(msg, len,
			 "perf_event_open: %s; the kernel lacks perf events "
			 "(CONFIG_PERF_EVENTS)", strerror(err));
	else
		snprintf(msg, len, "perf_event_open(%s, cpu %d): %s", what,
			 cpu, strerror(err));
}

static void fill_attr(struct perf_event_attr *a, enum fault_mode mode,
		      unsigned int tp_id)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	if (mode == MODE_TRACEPOINT) {
		a->type = PERF_TYPE_TRACEPOINT;
		a->config = tp_id;
		a->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				 PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	} else {
		a->type = PERF_TYPE_SOFTWARE;
		a->config = PERF_COUNT_SW_PAGE_FAULTS;
		a->sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				 PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU;
	}
	a->sample_period = 1;
	/*
	 * Wake readers only at half a ring, not at every sample: we drain
	 * without waiting, and each wakeup is an interrupt the faulting
	 * thread pays for (tens of us in some VMs).
	 */
	a->watermark = 1;
	a->disabled = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_hv = 1;
}

/*
 * Ring size per CPU: a share of RING_BUDGET, between RING_MIN and RING_MAX
 * (4 MiB holds ~58000 samples of 72 bytes: ~50 ms of faults at the fastest
 * rate a CPU can take them). UDAMON_FAULT_RING_KB overrides it (tests).
 */
static size_t ring_data_size(size_t nr_cpus)
{
	size_t want = RING_BUDGET / (nr_cpus ? nr_cpus : 1);
	size_t sz = RING_MIN;
	const char *env = getenv("UDAMON_FAULT_RING_KB");

	if (env && atol(env) > 0) {
		want = (size_t)atol(env) << 10;
		sz = (size_t)sysconf(_SC_PAGESIZE);
	}

	if (want > RING_MAX)
		want = RING_MAX;
	while (sz * 2 <= want)
		sz *= 2;
	return sz;
}

static int map_ring(struct fault_ring *r, size_t data_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	if (data_size < page)
		data_size = page;
	for (;;) {
		p = mmap(NULL, page + data_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, r->fd, 0);
		if (p != MAP_FAILED)
			break;
		/* locked-memory limits: try a smaller ring */
		if ((errno != EPERM && errno != ENOMEM) || data_size <= page * 8)
			return -errno;
		data_size /= 2;
	}
	r->meta = p;
	r->data = (unsigned char *)p + page;
	r->data_size = data_size;
	r->map_size = page + data_size;
	return 0;
}

/* Open the events of one CPU. 1: CPU is offline (skip), 0, or -errno. */
static int open_ring(struct udamon_fault_source *s, struct fault_ring *r,
		     int cpu, size_t data_size, char *err, size_t errlen)
{
	struct perf_event_attr a;
	const char *what = s->mode == MODE_TRACEPOINT ?
			   "exceptions:page_fault_user" : "page-faults";
	long fd;
	int ret;

	r->cpu = cpu;
	r->fd = r->fd_kernel = -1;
	fill_attr(&a, s->mode, s->tp[0].id);
	fd = sys_perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		if (ret == ENODEV || ret == ENXIO)
			return 1;
		explain_open_error(ret, what, cpu, err, errlen);
		return -ret;
	}
	r->fd = (int)fd;
	ret = map_ring(r, data_size);
	if (ret) {
		snprintf(err, errlen, "mmap of the perf ring for cpu %d: %s",
			 cpu, strerror(-ret));
		return ret;
	}
	if (s->mode != MODE_TRACEPOINT || !s->tp[1].id)
		return 0;
	fill_attr(&a, MODE_TRACEPOINT, s->tp[1].id);
	fd = sys_perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return 0;	/* user-mode faults still work */
	if (ioctl((int)fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) ||
	    ioctl((int)fd, PERF_EVENT_IOC_SET_FILTER,
		  "address < 0x8000000000000000")) {
		close((int)fd);
		return 0;
	}
	r->fd_kernel = (int)fd;
	return 0;
}

static void close_ring(struct fault_ring *r)
{
	if (r->meta)
		munmap(r->meta, r->map_size);
	if (r->fd_kernel >= 0)
		close(r->fd_kernel);
	if (r->fd >= 0)
		close(r->fd);
	r->meta = NULL;
	r->fd = r->fd_kernel = -1;
}

static void close_rings(struct udamon_fault_source *s)
{
	size_t i;

	for (i = 0; i < s->nr_rings; i++)
		close_ring(&s->rings[i]);
	s->nr_rings = 0;
}

static int open_rings(struct udamon_fault_source *s, char *err, size_t errlen)
{
	bool *online;
	int max, cpu, ret, n = 0;
	size_t data_size;

	ret = online_cpus(&online, &max);
	if (ret)
		return ret;
	for (cpu = 0; cpu < max; cpu++)
		n += online[cpu];
	s->rings = calloc((size_t)n, sizeof(*s->rings));
	if (!s->rings) {
		free(online);
		return -ENOMEM;
	}
	data_size = ring_data_size((size_t)n);
	for (cpu = 0; cpu < max; cpu++) {
		struct fault_ring *r = &s->rings[s->nr_rings];

		if (!online[cpu])
			continue;
		ret = open_ring(s, r, cpu, data_size, err, errlen);
		if (ret < 0) {
			close_ring(r);
			close_rings(s);
			break;
		}
		if (ret == 1)	/* went offline meanwhile */
			continue;
		s->nr_rings++;
	}
	free(online);
	if (ret < 0)
		return ret;
	if (!s->nr_rings) {
		snprintf(err, errlen, "no online CPU accepted a perf event");
		return -ENODEV;
	}
	return 0;
}

static int enable_rings(struct udamon_fault_source *s, char *err,
			size_t errlen)
{
	size_t i;

	for (i = 0; i < s->nr_rings; i++) {
		struct fault_ring *r = &s->rings[i];

		if ((r->fd_kernel >= 0 &&
		     ioctl(r->fd_kernel, PERF_EVENT_IOC_ENABLE, 0)) ||
		    ioctl(r->fd, PERF_EVENT_IOC_ENABLE, 0)) {
			int e = errno;

			snprintf(err, errlen, "enabling the perf event on cpu "
				 "%d: %s", r->cpu, strerror(e));
			return -e;
		}
	}
	return 0;
}

static int check_tgid(pid_t tgid, char *err, size_t errlen)
{
	char path[64], text[4096], *p;
	long t;

	if (tgid <= 0) {
		snprintf(err, errlen, "pid %d: expected a positive process id",
			 (int)tgid);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tgid);
	if (read_small_file(path, text, sizeof(text))) {
		snprintf(err, errlen, "pid %d: no such process", (int)tgid);
		return -ESRCH;
	}
	p = strstr(text, "\nTgid:");
	if (!p)
		return 0;
	t = strtol(p + 6, NULL, 10);
	if (t != tgid) {
		snprintf(err, errlen, "pid %d is a thread of process %ld; "
			 "give the process id", (int)tgid, t);
		return -EINVAL;
	}
	return 0;
}

/* Try the tracepoints; on failure leave the reason in @why. */
static int try_tracepoint(struct udamon_fault_source *s, char *err,
			  size_t errlen, char *why, size_t whylen)
{
	const char *root = find_tracefs();
	char ignore[256];
	int ret;

	if (!root) {
		snprintf(why, whylen, "tracefs is not mounted at %s or %s and "
			 "mounting it failed: %s", tracefs_dirs[0],
			 tracefs_dirs[1], strerror(errno));
		return -ENOENT;
	}
	ret = load_tp_event(root, "page_fault_user", &s->tp[0], why, whylen);
	if (ret)
		return ret;
	if (load_tp_event(root, "page_fault_kernel", &s->tp[1], ignore,
			  sizeof(ignore)))
		s->tp[1].id = 0;
	s->mode = MODE_TRACEPOINT;
	ret = open_rings(s, err, errlen);
	if (ret == -ENOENT || ret == -EINVAL || ret == -EOPNOTSUPP) {
		snprintf(why, whylen, "%s", err);
		err[0] = '\0';
	}
	return ret;
}

/*
 * The BPF source, unless UDAMON_FAULT_SOURCE=perf (or the software-event
 * switch) asks for perf events. 0, or -errno with the reason in @why.
 */
static int try_bpf(struct udamon_fault_source *s, char *why, size_t whylen)
{
	const char *env = getenv("UDAMON_FAULT_SOURCE");
	const char *sw = getenv("UDAMON_FAULT_SOFTWARE");

	if ((env && !strcmp(env, "perf")) || (sw && !strcmp(sw, "1"))) {
		snprintf(why, whylen, "%s", env && !strcmp(env, "perf") ?
			 "UDAMON_FAULT_SOURCE=perf" : "UDAMON_FAULT_SOFTWARE=1");
		return -ENOENT;
	}
	if (udamon_fault_bpf_open(s->tgid, &s->bpf, why, whylen))
		return -ENOENT;
	s->mode = MODE_TRACEPOINT;
	snprintf(s->mech, sizeof(s->mech), "%s",
		 udamon_fault_bpf_mechanism(s->bpf));
	return 0;
}

int udamon_fault_source_open(pid_t tgid, struct udamon_fault_source **out,
			     char *err, size_t errlen)
{
	struct udamon_fault_source *s;
	char why[384] = "", bpf_why[384] = "";
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ret = check_tgid(tgid, err, errlen);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tgid = tgid;
	s->page_mask = ~((uint64_t)sysconf(_SC_PAGESIZE) - 1);
	s->tmp = malloc(MAX_RECORD);
	if (!s->tmp) {
		free(s);
		return -ENOMEM;
	}
	if (!try_bpf(s, bpf_why, sizeof(bpf_why))) {
		*out = s;
		return 0;
	}
	/* UDAMON_FAULT_SOFTWARE=1 forces the fallback (tests) */
	if (getenv("UDAMON_FAULT_SOFTWARE") &&
	    !strcmp(getenv("UDAMON_FAULT_SOFTWARE"), "1")) {
		snprintf(why, sizeof(why), "UDAMON_FAULT_SOFTWARE=1");
		ret = -ENOENT;
	} else {
		ret = try_tracepoint(s, err, errlen, why, sizeof(why));
	}
	if (ret == 0) {
		snprintf(s->mech, sizeof(s->mech),
			 "perf tracepoint exceptions:page_fault_user%s, "
			 "system-wide on %zu CPUs, %zu KiB ring each "
			 "(BPF unavailable: %s)",
			 s->tp[1].id ? "+page_fault_kernel" : "",
			 s->nr_rings, (size_t)(s->rings[0].data_size >> 10),
			 bpf_why);
	} else if (ret == -ENOENT || ret == -EINVAL || ret == -EOPNOTSUPP) {
		free(s->rings);
		s->rings = NULL;
		s->mode = MODE_SOFTWARE;
		memset(s->tp, 0, sizeof(s->tp));
		ret = open_rings(s, err, errlen);
		snprintf(s->mech, sizeof(s->mech),
			 "perf software event page-faults, system-wide on %zu "
			 "CPUs (fallback, writes not told from reads: %s; BPF "
			 "unavailable: %s)", s->nr_rings, why, bpf_why);
		if (ret == 0 && errlen)
			snprintf(err, errlen, "%s", s->mech);
	}
	if (ret == 0)
		ret = enable_rings(s, err, errlen);
	if (ret) {
		udamon_fault_source_close(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* ---- draining ------------------------------------------------------------ */

static uint64_t get_uint(const unsigned char *p, unsigned int size)
{
	uint32_t v32;
	uint64_t v64;

	if (size == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v64, p, 8);
	return v64;
}

/* Decode a tracepoint's raw data into @rep. False if it is not ours. */
static bool decode_raw(const struct udamon_fault_source *s,
		       const unsigned char *raw, uint32_t raw_size,
		       struct udamon_access_report *rep)
{
	const struct tp_event *ev = NULL;
	uint16_t type;
	int i;

	if (raw_size < 2)
		return false;
	memcpy(&type, raw + s->tp[0].type_off, 2);
	for (i = 0; i < 2; i++)
		if (s->tp[i].id && s->tp[i].id == type)
			ev = &s->tp[i];
	if (!ev || raw_size < ev->addr_off + ev->addr_size ||
	    raw_size < ev->ec_off + ev->ec_size)
		return false;
	rep->vaddr = get_uint(raw + ev->addr_off, ev->addr_size);
	rep->is_write = !!(get_uint(raw + ev->ec_off, ev->ec_size) &
			   X86_PF_WRITE);
	return true;
}

/*
 * Turn one PERF_RECORD_SAMPLE into a report. False if it belongs to
 * another process or is malformed.
 */
static bool decode_sample(const struct udamon_fault_source *s,
			  const unsigned char *rec, size_t size,
			  struct udamon_access_report *rep)
{
	const unsigned char *p = rec + sizeof(struct perf_event_header);
	const unsigned char *end = rec + size;
	uint32_t ids[2], cpu[2], raw_size;

	if (p + 24 > end)
		return false;
	memcpy(ids, p, 8);		/* PERF_SAMPLE_TID: pid (tgid), tid */
	if ((pid_t)ids[0] != s->tgid)
		return false;
	rep->tid = (int)ids[1];
	memcpy(&rep->time_ns, p + 8, 8);
	p += 16;
	rep->paddr = UDAMON_UNKNOWN_ADDR;
	rep->size = 1;
	if (s->mode == MODE_SOFTWARE) {
		if (p + 16 > end)
			return false;
		memcpy(&rep->vaddr, p, 8);
		memcpy(cpu, p + 8, 8);
		rep->cpu = (int)cpu[0];
		rep->is_write = -1;
		return true;
	}
	memcpy(cpu, p, 8);
	rep->cpu = (int)cpu[0];
	p += 8;
	if (p + 4 > end)
		return false;
	memcpy(&raw_size, p, 4);
	p += 4;
	if (raw_size > (size_t)(end - p))
		return false;
	return decode_raw(s, p, raw_size, rep);
}

static int page_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return (a > b) - (a < b);
}

/* Does a fault at @addr count (is its page armed now)? */
static bool is_armed(const struct udamon_fault_source *s, uint64_t addr)
{
	uint64_t page = addr & s->page_mask;

	return bsearch(&page, s->armed, s->nr_armed, sizeof(*s->armed),
		       page_cmp) != NULL;
}

/* Handle one record. 1: a report went to fn; 0: not ours; <0 fn's error. */
static int handle_record(struct udamon_fault_source *s,
			 const unsigned char *rec, size_t size,
			 int (*fn)(const struct udamon_access_report *r,
				   void *data),
			 void *data, bool *stop)
{
	struct perf_event_header hdr;
	struct udamon_access_report rep;
	uint64_t lost;
	int ret;

	memcpy(&hdr, rec, sizeof(hdr));
	if (hdr.type == PERF_RECORD_LOST) {
		if (size >= sizeof(hdr) + 16) {
			memcpy(&lost, rec + sizeof(hdr) + 8, 8);
			s->lost += lost;
		}
		return 0;
	}
	if (hdr.type != PERF_RECORD_SAMPLE || !decode_sample(s, rec, size, &rep) ||
	    !is_armed(s, rep.vaddr))
		return 0;
	ret = fn(&rep, data);
	if (ret) {
		*stop = true;
		return ret < 0 ? ret : 1;
	}
	return 1;
}

static long drain_ring(struct udamon_fault_source *s, struct fault_ring *r,
		       int (*fn)(const struct udamon_access_report *rep,
				 void *data),
		       void *data, bool *stop)
{
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	uint64_t mask = r->data_size - 1;
	long count = 0;
	int ret = 0;

	while (tail < head && !*stop) {
		struct perf_event_header hdr;
		uint64_t off = tail & mask;
		const unsigned char *rec = r->data + off;

		/* records are 8-byte aligned: a header never wraps */
		memcpy(&hdr, rec, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > head - tail) {
			ret = -EIO;
			tail = head;	/* resynchronise: drop the rest */
			break;
		}
		if (off + hdr.size > r->data_size) {
			uint64_t first = r->data_size - off;

			memcpy(s->tmp, rec, first);
			memcpy(s->tmp + first, r->data, hdr.size - first);
			rec = s->tmp;
		}
		tail += hdr.size;
		ret = handle_record(s, rec, hdr.size, fn, data, stop);
		if (ret < 0)
			break;
		count += ret;
		ret = 0;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	return ret < 0 ? ret : count;
}

long udamon_fault_source_drain(struct udamon_fault_source *s,
			       int (*fn)(const struct udamon_access_report *r,
					 void *data),
			       void *data)
{
	bool stop = false;
	long total = 0;
	size_t i;

	if (!s || !fn)
		return -EINVAL;
	if (s->bpf)
		return udamon_fault_bpf_drain(s->bpf, fn, data);
	for (i = 0; i < s->nr_rings && !stop; i++) {
		long n = drain_ring(s, &s->rings[i], fn, data, &stop);

		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

int udamon_fault_source_arm(struct udamon_fault_source *s,
			    const uint64_t *pages, size_t nr)
{
	size_t i;

	if (s->bpf)
		return udamon_fault_bpf_arm(s->bpf, pages, nr);
	if (nr > s->cap_armed) {
		uint64_t *v = realloc(s->armed, nr * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->armed = v;
		s->cap_armed = nr;
	}
	for (i = 0; i < nr; i++)
		s->armed[i] = pages[i] & s->page_mask;
	qsort(s->armed, nr, sizeof(*s->armed), page_cmp);
	s->nr_armed = nr;
	return 0;
}

uint64_t udamon_fault_source_lost(const struct udamon_fault_source *s)
{
	if (s && s->bpf)
		return udamon_fault_bpf_lost(s->bpf);
	return s ? s->lost : 0;
}

const char *udamon_fault_source_kind(const struct udamon_fault_source *s)
{
	if (!s)
		return "";
	if (s->bpf)
		return "bpf";
	return s->mode == MODE_TRACEPOINT ? "perf" : "perf-software";
}

const char *udamon_fault_source_mechanism(const struct udamon_fault_source *s)
{
	return s ? s->mech : "";
}

int udamon_fault_source_knows_writes(const struct udamon_fault_source *s)
{
	return s && s->mode == MODE_TRACEPOINT;
}

void udamon_fault_source_close(struct udamon_fault_source *s)
{
	if (!s)
		return;
	udamon_fault_bpf_close(s->bpf);
	close_rings(s);
	free(s->armed);
	free(s->rings);
	free(s->tmp);
	free(s);
}
