// SPDX-License-Identifier: MIT
/*
 * BPF fault event source (see fault_bpf.h and fault_bpf.bpf.c).
 *
 * Why BPF: the perf source takes a perf sample of every page fault of
 * every process on every CPU and drops the others' in user space; in a
 * paravirtualized guest that cost the target a quarter of its speed. Here
 * the kernel drops them after one hash lookup, and only faults on the
 * pages udamon armed for this sample reach the ring.
 *
 * The armed set of a process is replaced at every sample with two system
 * calls: a batch update of the pages new to it, a batch delete of those
 * no longer in it. Pages in both (a region's page armed in the last pass
 * and checked in this one) stay untouched: re-writing every entry at
 * every sample, as a generation stamp would need, cost about half of the
 * monitor's CPU with attribution (perf, redis under redis-benchmark).
 * Events are delivered when their page is in the process's current set
 * (as the perf source does); the engine then matches them to the window
 * of the region's page by time.
 *
 * One program, one ring for all processes: a drain for one process queues
 * the events of the others for their own next drain.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "primitives/fault_bpf.h"
#include "primitives/fault_bpf_event.h"
#include "fault_bpf.skel.h"

#define X86_PF_WRITE		0x2UL
#define PENDING_MAX		65536	/* queued events per process */
#define PROC_PID_INIT_INO	0xEFFFFFFCU	/* the initial pid namespace */

struct udamon_fault_bpf {
	pid_t tgid;
	uint32_t gen;
	struct fault_bpf_key *keys;	/* in the map now, sorted by page */
	size_t nr_keys, cap_keys;
	struct fault_bpf_key *next;	/* scratch for arming: the new set */
	struct fault_bpf_key *ins;	/* and its keys not in the map yet */
	uint32_t *vals;
	size_t cap_next;
	struct fault_bpf_event *pending;	/* drained for us by another */
	size_t nr_pending, cap_pending;
	uint64_t lost;
	uint64_t dropped_at_open;
};

/* The drain in progress: who asked, and where its reports go. */
struct drain_state {
	struct udamon_fault_bpf *b;
	int (*fn)(const struct udamon_access_report *r, void *data);
	void *data;
	long count;
	int err;
	bool stop;
};

static struct {
	struct fault_bpf *skel;
	struct ring_buffer *rb;
	struct udamon_fault_bpf **views;
	size_t nr_views, cap_views;
	struct drain_state *drain;
	bool has_kernel;	/* page_fault_kernel attached too */
	char mech[256];
} shared;

static char libbpf_last[256];

/* Keep libbpf's last warning for our message instead of printing it. */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[sizeof(libbpf_last)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n)
		memcpy(libbpf_last, line, n + 1);
	return 0;
}

static void unload(void)
{
	ring_buffer__free(shared.rb);
	fault_bpf__destroy(shared.skel);
	free(shared.views);
	memset(&shared, 0, sizeof(shared));
}

static void explain(char *why, size_t whylen, const char *what, int err)
{
	snprintf(why, whylen, "%s: %s%s%s%s", what, strerror(err),
		 err == EPERM || err == EACCES ?
		 " (loading tracing BPF programs needs CAP_BPF and "
		 "CAP_PERFMON, or root)" : "",
		 libbpf_last[0] ? "; libbpf: " : "", libbpf_last);
}

/* Ids as udamon sees them, also when it runs in a pid namespace. */
static void set_pidns(struct fault_bpf *skel)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == PROC_PID_INIT_INO)
		return;
	skel->rodata->pidns_dev = (uint64_t)st.st_dev;
	skel->rodata->pidns_ino = (uint64_t)st.st_ino;
}

static int on_event(void *ctx, void *data, size_t size);

/* FAULT_BPF_RING_BYTES, or UDAMON_FAULT_RING_KB rounded down (tests). */
static uint32_t ring_bytes(void)
{
	const char *env = getenv("UDAMON_FAULT_RING_KB");
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE), sz = page;
	long want;

	if (!env || (want = atol(env)) <= 0 || want > (1L << 20))
		return FAULT_BPF_RING_BYTES;
	while ((long)sz * 2 <= want << 10)
		sz *= 2;
	return sz;
}

static int load(char *why, size_t whylen)
{
	struct bpf_link *link;
	int err;

	libbpf_set_print(libbpf_quiet);
	libbpf_last[0] = '\0';
	shared.skel = fault_bpf__open();
	if (!shared.skel) {
		explain(why, whylen, "opening the BPF fault program", errno);
		return -errno;
	}
	set_pidns(shared.skel);
	bpf_map__set_max_entries(shared.skel->maps.events, ring_bytes());
	shared.skel->rodata->page_mask = ~((uint64_t)sysconf(_SC_PAGESIZE) - 1);
	err = fault_bpf__load(shared.skel);
	if (err) {
		explain(why, whylen, "loading the BPF fault program", -err);
		goto fail;
	}
	link = bpf_program__attach(shared.skel->progs.fault_user);
	if (!link) {
		err = -errno;
		explain(why, whylen, "attaching BPF to the raw tracepoint "
			"exceptions:page_fault_user", -err);
		goto fail;
	}
	shared.skel->links.fault_user = link;
	/* faults the kernel takes on user memory: useful, not required */
	link = bpf_program__attach(shared.skel->progs.fault_kernel);
	if (link)
		shared.skel->links.fault_kernel = link;
	shared.has_kernel = link != NULL;
	shared.rb = ring_buffer__new(bpf_map__fd(shared.skel->maps.events),
				     on_event, NULL, NULL);
	if (!shared.rb) {
		err = -errno;
		explain(why, whylen, "mapping the BPF ring buffer", -err);
		goto fail;
	}
	snprintf(shared.mech, sizeof(shared.mech),
		 "bpf on raw tracepoints exceptions:page_fault_user%s, armed "
		 "pages of monitored processes only, %u KiB ring",
		 shared.has_kernel ? "+page_fault_kernel" : "",
		 bpf_map__max_entries(shared.skel->maps.events) >> 10);
	return 0;
fail:
	unload();
	return err ? err : -EINVAL;
}

int udamon_fault_bpf_open(pid_t tgid, struct udamon_fault_bpf **out,
			  char *why, size_t whylen)
{
	struct udamon_fault_bpf *b;
	int err;

	*out = NULL;
	if (!shared.skel) {
		err = load(why, whylen);
		if (err)
			return err;
	}
	if (shared.nr_views == shared.cap_views) {
		size_t cap = shared.cap_views ? 2 * shared.cap_views : 4;
		void *v = realloc(shared.views, cap * sizeof(*shared.views));

		if (!v)
			goto nomem;
		shared.views = v;
		shared.cap_views = cap;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		goto nomem;
	b->tgid = tgid;
	b->dropped_at_open = shared.skel->bss->nr_dropped;
	shared.views[shared.nr_views++] = b;
	*out = b;
	return 0;
nomem:
	if (!shared.nr_views)
		unload();
	snprintf(why, whylen, "out of memory");
	return -ENOMEM;
}

static int map_fd(void)
{
	return bpf_map__fd(shared.skel->maps.armed);
}

/* Delete keys, one call; key by key if some were already gone. */
static int delete_keys(const struct fault_bpf_key *keys, size_t nr)
{
	__u32 count = (__u32)nr;
	size_t i;

	if (!nr || !bpf_map_delete_batch(map_fd(), keys, &count, NULL))
		return 0;
	for (i = count; i < nr; i++)
		if (bpf_map_delete_elem(map_fd(), &keys[i]) && errno != ENOENT)
			return -errno;
	return 0;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct fault_bpf_key *a = pa, *b = pb;

	return (a->page > b->page) - (a->page < b->page);
}

static int reserve(struct udamon_fault_bpf *b, size_t nr)
{
	void *k, *v;

	if (nr <= b->cap_next)
		return 0;
	k = realloc(b->next, nr * sizeof(*b->next));
	if (!k)
		return -ENOMEM;
	b->next = k;
	v = realloc(b->vals, nr * sizeof(*b->vals));
	if (!v)
		return -ENOMEM;
	b->vals = v;
	k = realloc(b->keys, nr * sizeof(*b->keys));
	if (!k)
		return -ENOMEM;
	b->keys = k;
	k = realloc(b->ins, nr * sizeof(*b->ins));
	if (!k)
		return -ENOMEM;
	b->ins = k;
	b->cap_next = b->cap_keys = nr;
	return 0;
}

/* The new set in b->next (sorted, unique): n entries. */
static size_t build_next(struct udamon_fault_bpf *b, const uint64_t *pages,
			 size_t nr)
{
	uint64_t mask = shared.skel->rodata->page_mask;
	bool sorted = true;
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		b->next[i] = (struct fault_bpf_key){ .tgid = (__u32)b->tgid,
						     .page = pages[i] & mask };
		b->vals[i] = b->gen;
		if (i && b->next[i].page <= b->next[i - 1].page)
			sorted = false;
	}
	if (!sorted)
		qsort(b->next, nr, sizeof(*b->next), key_cmp);
	for (i = 0; i < nr; i++)
		if (!n || b->next[i].page != b->next[n - 1].page)
			b->next[n++] = b->next[i];
	return n;
}

/* The keys of the new set (b->next, n of them) not in the map: b->ins. */
static size_t new_keys(struct udamon_fault_bpf *b, size_t n)
{
	size_t i, j = 0, k = 0;

	for (i = 0; i < n; i++) {
		while (j < b->nr_keys && b->keys[j].page < b->next[i].page)
			j++;
		if (j >= b->nr_keys || b->keys[j].page != b->next[i].page)
			b->ins[k++] = b->next[i];
	}
	return k;
}

/* Delete the keys of the last set that the new one lacks. */
static int delete_stale(struct udamon_fault_bpf *b, size_t nr_next)
{
	size_t i = 0, j = 0, n = 0;

	/* compact the stale keys to the front of b->keys (merge walk) */
	while (i < b->nr_keys) {
		while (j < nr_next && b->next[j].page < b->keys[i].page)
			j++;
		if (j >= nr_next || b->next[j].page != b->keys[i].page)
			b->keys[n++] = b->keys[i];
		i++;
	}
	return delete_keys(b->keys, n);
}

int udamon_fault_bpf_arm(struct udamon_fault_bpf *b, const uint64_t *pages,
			 size_t nr)
{
	struct fault_bpf_key *swap;
	__u32 count;
	size_t n, k;
	int err;

	if (reserve(b, nr > b->nr_keys ? nr : b->nr_keys))
		return -ENOMEM;
	b->gen++;
	n = build_next(b, pages, nr);
	k = new_keys(b, n);
	count = (__u32)k;
	if (k && bpf_map_update_batch(map_fd(), b->ins, b->vals, &count,
				      NULL)) {
		err = -errno;
		/* start afresh: nothing of this process armed */
		delete_keys(b->ins, count);
		delete_keys(b->keys, b->nr_keys);
		b->nr_keys = 0;
		return err;
	}
	err = delete_stale(b, n);
	swap = b->keys, b->keys = b->next, b->next = swap;
	b->nr_keys = n;
	return err;
}

static struct udamon_fault_bpf *view_of(uint32_t tgid)
{
	size_t i;

	for (i = 0; i < shared.nr_views; i++)
		if ((uint32_t)shared.views[i]->tgid == tgid)
			return shared.views[i];
	return NULL;
}

static void queue(struct udamon_fault_bpf *b, const struct fault_bpf_event *e)
{
	if (b->nr_pending == b->cap_pending) {
		size_t cap = b->cap_pending ? 2 * b->cap_pending : 256;
		void *v;

		if (cap > PENDING_MAX ||
		    !(v = realloc(b->pending, cap * sizeof(*b->pending)))) {
			b->lost++;
			return;
		}
		b->pending = v;
		b->cap_pending = cap;
	}
	b->pending[b->nr_pending++] = *e;
}

/* Is the page of addr in b's current set (sorted by page)? */
static bool in_set(const struct udamon_fault_bpf *b, uint64_t addr)
{
	struct fault_bpf_key key = {
		.page = addr & shared.skel->rodata->page_mask,
	};

	return b->nr_keys &&
	       bsearch(&key, b->keys, b->nr_keys, sizeof(key), key_cmp);
}

static void deliver(struct drain_state *d, const struct fault_bpf_event *e)
{
	struct udamon_access_report r;
	int ret;

	if (!in_set(d->b, e->addr))
		return;		/* a page of an earlier sample */
	if (d->stop) {
		queue(d->b, e);
		return;
	}
	r = (struct udamon_access_report){
		.vaddr = e->addr,
		.paddr = UDAMON_UNKNOWN_ADDR,
		.size = 1,
		.cpu = (int)e->cpu,
		.tid = (int)e->tid,
		.is_write = !!(e->error_code & X86_PF_WRITE),
		.time_ns = e->time_ns,
	};
	ret = d->fn(&r, d->data);
	d->count++;
	if (ret) {
		d->stop = true;
		if (ret < 0)
			d->err = ret;
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct fault_bpf_event *e = data;
	struct udamon_fault_bpf *b;
	struct drain_state *d = shared.drain;

	(void)ctx;
	if (size < sizeof(*e) || !d)
		return 0;
	if ((uint32_t)d->b->tgid == e->tgid) {
		deliver(d, e);
		return 0;
	}
	b = view_of(e->tgid);
	if (b)
		queue(b, e);
	return 0;
}

long udamon_fault_bpf_drain(struct udamon_fault_bpf *b,
			    int (*fn)(const struct udamon_access_report *r,
				      void *data),
			    void *data)
{
	struct drain_state d = { b, fn, data, 0, 0, false };
	size_t i, n = b->nr_pending;
	int ret;

	b->nr_pending = 0;
	for (i = 0; i < n; i++) {
		if (d.stop) {
			/* keep the rest queued, in order */
			memmove(b->pending, b->pending + i,
				(n - i) * sizeof(*b->pending));
			b->nr_pending = n - i;
			break;
		}
		deliver(&d, &b->pending[i]);
	}
	shared.drain = &d;
	ret = ring_buffer__consume(shared.rb);
	shared.drain = NULL;
	if (d.err)
		return d.err;
	if (ret < 0)
		return ret;
	return d.count;
}

uint64_t udamon_fault_bpf_lost(const struct udamon_fault_bpf *b)
{
	return b->lost + shared.skel->bss->nr_dropped - b->dropped_at_open;
}

const char *udamon_fault_bpf_mechanism(const struct udamon_fault_bpf *b)
{
	(void)b;
	return shared.mech;
}

void udamon_fault_bpf_close(struct udamon_fault_bpf *b)
{
	size_t i;

	if (!b)
		return;
	delete_keys(b->keys, b->nr_keys);
	for (i = 0; i < shared.nr_views; i++) {
		if (shared.views[i] != b)
			continue;
		shared.views[i] = shared.views[--shared.nr_views];
		break;
	}
	free(b->keys);
	free(b->ins);
	free(b->next);
	free(b->vals);
	free(b->pending);
	free(b);
	if (!shared.nr_views)
		unload();
}
