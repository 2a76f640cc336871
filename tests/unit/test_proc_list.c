// SPDX-License-Identifier: MIT
/* The descendants of a set of processes (primitives/proc_list.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

#include "primitives/proc_list.h"

/* 1 -> 10 -> 11 -> 12, 10 -> 13; 1 -> 20 -> 21; 30 (parent 0) */
#define E(p, pp) { .pid = p, .ppid = pp, .state = 'S' }
static const struct udamon_proc_entry tree[] = {
	E(1, 0), E(10, 1), E(11, 10), E(12, 11), E(13, 10),
	E(20, 1), E(21, 20), E(30, 0),
};
#define NR (sizeof(tree) / sizeof(tree[0]))

static void expect(const int *roots, size_t nr_roots, const int *want,
		   size_t nr_want)
{
	int *got;
	size_t n;

	assert_int_equal(udamon_proc_descendants(tree, NR, roots, nr_roots,
						 &got, &n), 0);
	assert_int_equal(n, nr_want);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], want[i]);
	free(got);
}

static void test_descendants(void **state)
{
	(void)state;
	/* every generation, not the root itself */
	expect((int[]){ 10 }, 1, (int[]){ 11, 12, 13 }, 3);
	/* several roots, given in any order; a root below another root */
	expect((int[]){ 20, 11 }, 2, (int[]){ 12, 21 }, 2);
	expect((int[]){ 11, 10 }, 2, (int[]){ 12, 13 }, 2);
	/* a leaf, an unknown pid, no roots: none */
	expect((int[]){ 12 }, 1, NULL, 0);
	expect((int[]){ 99 }, 1, NULL, 0);
	expect(NULL, 0, NULL, 0);
	/* the whole machine under 1 */
	expect((int[]){ 1 }, 1, (int[]){ 10, 11, 12, 13, 20, 21 }, 6);
}

/* The live list holds us, with our parent. */
static void test_list_has_self(void **state)
{
	struct udamon_proc_entry *list;
	size_t nr;
	int found = 0;

	(void)state;
	assert_int_equal(udamon_proc_list(&list, &nr), 0);
	for (size_t i = 0; i < nr; i++) {
		if (i)
			assert_true(list[i - 1].pid < list[i].pid);
		if (list[i].pid == getpid()) {
			assert_int_equal(list[i].ppid, getppid());
			assert_false(list[i].kthread);
			assert_int_equal(list[i].state, 'R');
			found = 1;
		}
	}
	assert_true(found);
	/* kthreadd (pid 2, when this namespace sees it) is a kernel thread */
	if (nr > 1 && list[1].pid == 2)
		assert_true(list[1].kthread);
	free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_list_has_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
