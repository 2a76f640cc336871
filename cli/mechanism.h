/* SPDX-License-Identifier: MIT */
/* Does this machine have the mechanism a request needs? (README, docs/ARCHITECTURE.md) */
#ifndef UDAMON_CLI_MECHANISM_H
#define UDAMON_CLI_MECHANISM_H

/* Each returns 0, or -1 after printing what is missing and what to do. */
int mechanism_check_page_table(void);
int mechanism_check_reads(void);
int mechanism_check_write_reports(void);
int mechanism_check_attribution(void);

#endif
