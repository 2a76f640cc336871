// SPDX-License-Identifier: MIT
#include <signal.h>
#include <string.h>

#include "cli/stop_signal.h"

static volatile sig_atomic_t stop_signal;
static volatile int *stop_flag;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
	if (stop_flag)
		*stop_flag = 1;
}

void cli_stop_signals_flag(volatile int *flag)
{
	stop_flag = flag;
}

void cli_catch_stop_signals(volatile int *flag)
{
	struct sigaction sa;

	stop_flag = flag;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cli_stop_signal(void)
{
	return stop_signal;
}
