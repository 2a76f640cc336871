// SPDX-License-Identifier: MIT
/*
 * Worker threads for attaching (attach_pool.h). One mutex guards two
 * lists: jobs to run and jobs done. Workers block every signal, so a
 * signal meant for udamon (Ctrl-C, the control socket's wake-ups) reaches
 * the sampling thread, as before.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ops/attach_pool.h"

struct job_list {
	struct attach_job *head, *tail;
};

struct attach_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;	/* a job was queued, or stop */
	pthread_cond_t done;	/* a job finished */
	struct job_list queued, finished;
	size_t nr_running;
	unsigned int nr_threads, nr_idle, max_threads;
	pthread_t *threads;
	bool stop;
};

static void push(struct job_list *l, struct attach_job *j)
{
	j->next = NULL;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

static struct attach_job *pop(struct job_list *l)
{
	struct attach_job *j = l->head;

	if (j) {
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
	}
	return j;
}

static void *worker(void *arg)
{
	struct attach_pool *p = arg;
	struct attach_job *j;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && !p->queued.head) {
			p->nr_idle++;
			pthread_cond_wait(&p->work, &p->lock);
			p->nr_idle--;
		}
		if (p->stop)
			break;
		j = pop(&p->queued);
		p->nr_running++;
		pthread_mutex_unlock(&p->lock);
		j->run(j);
		pthread_mutex_lock(&p->lock);
		p->nr_running--;
		push(&p->finished, j);
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct attach_pool *attach_pool_new(unsigned int max_threads)
{
	struct attach_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->threads = calloc(max_threads ? max_threads : 1, sizeof(*p->threads));
	if (!p->threads) {
		free(p);
		return NULL;
	}
	p->max_threads = max_threads ? max_threads : 1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

/* With p->lock held. */
static int start_worker(struct attach_pool *p)
{
	sigset_t all, old;
	int ret;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&p->threads[p->nr_threads], NULL, worker, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	p->nr_threads++;
	return 0;
}

int attach_pool_submit(struct attach_pool *p, struct attach_job *job)
{
	size_t waiting = 0;
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	push(&p->queued, job);
	for (struct attach_job *j = p->queued.head; j; j = j->next)
		waiting++;
	if (waiting > p->nr_idle && p->nr_threads < p->max_threads)
		ret = start_worker(p);
	if (ret && !p->nr_threads) {
		/* no worker at all: take it back, the caller runs nothing */
		struct job_list keep = { 0 };
		struct attach_job *j;

		while ((j = pop(&p->queued)))
			if (j != job)
				push(&keep, j);
		p->queued = keep;
	} else {
		ret = 0;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	return ret;
}

struct attach_job *attach_pool_take(struct attach_pool *p)
{
	struct attach_job *j;

	pthread_mutex_lock(&p->lock);
	j = pop(&p->finished);
	pthread_mutex_unlock(&p->lock);
	return j;
}

struct attach_job *attach_pool_wait(struct attach_pool *p)
{
	struct attach_job *j;

	pthread_mutex_lock(&p->lock);
	while (!p->finished.head && (p->queued.head || p->nr_running))
		pthread_cond_wait(&p->done, &p->lock);
	j = pop(&p->finished);
	pthread_mutex_unlock(&p->lock);
	return j;
}

size_t attach_pool_busy(struct attach_pool *p)
{
	size_t n;

	pthread_mutex_lock(&p->lock);
	n = p->nr_running;
	for (struct attach_job *j = p->queued.head; j; j = j->next)
		n++;
	pthread_mutex_unlock(&p->lock);
	return n;
}

void attach_pool_free(struct attach_pool *p,
		      void (*drop)(struct attach_job *job))
{
	struct attach_job *j;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nr_threads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = pop(&p->finished)))
		if (drop)
			drop(j);
	while ((j = pop(&p->queued)))
		if (drop)
			drop(j);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}
