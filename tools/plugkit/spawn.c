#include "spawn.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads what the child writes into out until it closes the pipe. */
static void read_all(int fd, char *out, size_t outlen)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < outlen && (n = read(fd, out + len, outlen - len - 1)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	while (len && isspace((unsigned char)out[len - 1]))
		len--;
	out[len] = '\0';
}

/* The child being waited for, for run_child_stop in a signal handler. */
static volatile sig_atomic_t running;

void run_child_stop(void)
{
	pid_t pid = (pid_t)running;

	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

int run_child(char *const argv[], char *out, size_t outlen, int *signal)
{
	int fds[2] = {-1, -1}, status;
	pid_t pid;

	*signal = 0;
	if (out && pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (out) {
			dup2(fds[1], STDOUT_FILENO);
			close(fds[0]);
			close(fds[1]);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid > 0)
		running = pid;
	if (out) {
		close(fds[1]);
		if (pid > 0)
			read_all(fds[0], out, outlen);
		close(fds[0]);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			running = 0;
			return -1;
		}
	running = 0;
	if (WIFSIGNALED(status)) {
		*signal = WTERMSIG(status);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
