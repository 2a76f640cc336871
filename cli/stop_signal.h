/* SPDX-License-Identifier: MIT */
/*
 * SIGINT, SIGTERM and SIGHUP end a long-running command cleanly: its loop
 * sees the request, writes what it holds, and returns.
 */
#ifndef UDAMON_CLI_STOP_SIGNAL_H
#define UDAMON_CLI_STOP_SIGNAL_H

#include <stdbool.h>

/*
 * Catch the three signals. Without SA_RESTART, so a sleep or accept() is
 * cut short. flag, if not NULL, is also set to 1 by them (an engine's
 * stop field); cli_stop_signals_flag(NULL) detaches it.
 */
void cli_catch_stop_signals(volatile int *flag);
void cli_stop_signals_flag(volatile int *flag);
/* The signal that asked to stop, 0 while none did. */
int cli_stop_signal(void);

#endif
