/* SPDX-License-Identifier: MIT */
/*
 * Kernel uapi constants newer than the Linux 6.1 headers we build against.
 * Values are the kernel's ABI (include/uapi/linux/{userfaultfd,fs}.h of
 * Linux 6.7 and later, include/uapi/asm-generic/{mman-common,unistd}.h);
 * each is defined only when the system lacks it.
 */
#ifndef UDAMON_PRIMITIVES_COMPAT_H
#define UDAMON_PRIMITIVES_COMPAT_H

#include <linux/types.h>
#include <linux/userfaultfd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/* ---- userfaultfd ------------------------------------------------------ */

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY		1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1ULL << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC		(1ULL << 15)
#endif
/* /dev/userfaultfd (Linux 6.1): makes a userfaultfd for the caller's mm */
#ifndef USERFAULTFD_IOC_NEW
#define USERFAULTFD_IOC_NEW		_IO(0xAA, 0x00)
#endif

/* ---- PAGEMAP_SCAN (Linux 6.7) ----------------------------------------- */

#ifndef PAGEMAP_SCAN
struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN	_IOWR('f', 16, struct pm_scan_arg)
#endif

#ifndef PAGE_IS_WPALLOWED
#define PAGE_IS_WPALLOWED	(1 << 0)
#endif
#ifndef PAGE_IS_WRITTEN
#define PAGE_IS_WRITTEN		(1 << 1)
#endif
#ifndef PAGE_IS_FILE
#define PAGE_IS_FILE		(1 << 2)
#endif
#ifndef PAGE_IS_PRESENT
#define PAGE_IS_PRESENT		(1 << 3)
#endif
#ifndef PAGE_IS_SWAPPED
#define PAGE_IS_SWAPPED		(1 << 4)
#endif
#ifndef PAGE_IS_PFNZERO
#define PAGE_IS_PFNZERO		(1 << 5)
#endif
#ifndef PAGE_IS_HUGE
#define PAGE_IS_HUGE		(1 << 6)
#endif

#ifndef PM_SCAN_WP_MATCHING
#define PM_SCAN_WP_MATCHING	(1 << 0)
#endif
#ifndef PM_SCAN_CHECK_WPASYNC
#define PM_SCAN_CHECK_WPASYNC	(1 << 1)
#endif

/* ---- pidfd (Linux 5.3 / 5.6); numbers are shared by all arches ------- */

#ifndef SYS_pidfd_open
#define SYS_pidfd_open		434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd		438
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal	424
#endif

/* ---- THP collapse (Linux 6.1) and process_madvise (Linux 5.10) ------- */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise	440
#endif

/* ---- syscall restart codes (kernel-internal, seen by ptrace) --------- */

#define UDAMON_ERESTARTSYS		512
#define UDAMON_ERESTARTNOINTR		513
#define UDAMON_ERESTARTNOHAND		514
#define UDAMON_ERESTART_RESTARTBLOCK	516

#endif /* UDAMON_PRIMITIVES_COMPAT_H */
