/* Running another program and waiting for it. */
#ifndef PLUGKIT_SPAWN_H
#define PLUGKIT_SPAWN_H

#include <stddef.h>

/*
 * Runs argv (argv[0] searched in PATH) and waits for it.  With out, its
 * standard output lands there, NUL-terminated, trailing white space
 * dropped.  Returns its exit status; -1 when it could not be started or was
 * killed, *signal then holding the signal (0 when not killed).
 */
int run_child(char *const argv[], char *out, size_t outlen, int *signal);

/* For a signal handler: kills the child run_child is waiting for, if any,
 * and reaps it, so it writes nothing more.  Async-signal-safe. */
void run_child_stop(void);

#endif
