/*
 * open-bench [--pairs P] [--plugins K] PLUGIN: plugkit_open against
 * dlopen + dlsym, side by side in one run, in a process that has the
 * example host (and its allocator) at start-up, as its shim would:
 *
 *   cold      the first plugin a fresh process opens: PLUGIN, once
 *             (everything is counted: the first allocations of every size
 *             the allocator serves, the lazy binding of each function)
 *   first     the first open of each of K distinct copies of PLUGIN (made
 *             here), one after another: a file neither side has seen
 *   reopen    open and close PLUGIN again and again
 *   rotation  the K copies opened and closed in turn, after a first round
 *             that is not counted: a host cycling through K plugins
 *
 * plugkit's side calls plugkit_verify_process before it measures, as a
 * host does first thing in main; the judgement before dlopen is counted
 * in full.
 * Wall time: P pairs of runs, each pair one process per side, their order
 * alternating from pair to pair; the ratio is taken within each pair and
 * its minimum and median reported.  Instructions: callgrind, once per
 * side (exact, the same on every run), counted inside the measured
 * function only.  Nothing asserts a time.
 *
 * The sides run as children of this program: open-bench --worker SIDE
 * SCENARIO N TARGET prints nanoseconds per operation.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <plugkit.h>

#include "examplehost.h"

extern char **environ;

#define ROUNDS 2
#define REOPENS 2000

/* ---- the worker: one side, one scenario -------------------------------- */

static char **targets;
static long n_targets;
static int plugkit_side;

static void open_one(const char *path)
{
	if (plugkit_side) {
		struct plugkit_plugin p;
		struct plugkit_error e;

		if (plugkit_open(path, EXAMPLEHOST_PLUGIN_SYMBOL, EXAMPLEHOST_PLUGIN_ABI, &p, &e) !=
		    PLUGKIT_OK) {
			fprintf(stderr, "%s\n", e.message);
			exit(1);
		}
		plugkit_close(&p);
	} else {
		void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);

		if (!h || !dlsym(h, EXAMPLEHOST_PLUGIN_SYMBOL)) {
			fprintf(stderr, "%s\n", dlerror());
			exit(1);
		}
		dlclose(h);
	}
}

/* What callgrind counts (--toggle-collect=open_bench_measure) and what
 * the clock times: n open-and-close cycles over the targets in turn. */
__attribute__((noinline)) void open_bench_measure(long n);
__attribute__((noinline)) void open_bench_measure(long n)
{
	for (long i = 0; i < n; i++)
		open_one(targets[i % n_targets]);
}

static int worker(char **argv)
{
	struct timespec t0, t1;
	long n = strtol(argv[2], NULL, 10);
	struct plugkit_error e;

	plugkit_side = strcmp(argv[0], "plugkit") == 0;
	/* A call into the host keeps it a start-up DT_NEEDED, as in the shim. */
	if (!examplehost_allocator())
		return 1;
	if (plugkit_side && plugkit_verify_process(&e) != PLUGKIT_OK) {
		fprintf(stderr, "%s\n", e.message);
		return 1;
	}
	if (strcmp(argv[1], "first") == 0 || strcmp(argv[1], "rotation") == 0) {
		struct dirent **list;
		int k = scandir(argv[3], &list, NULL, alphasort);

		targets = calloc(k > 0 ? (size_t)k : 1, sizeof(*targets));
		for (int i = 0; i < k; i++) {
			if (list[i]->d_name[0] != '.' &&
			    asprintf(&targets[n_targets], "%s/%s", argv[3], list[i]->d_name) > 0)
				n_targets++;
			free(list[i]);
		}
		free(list);
	} else {
		targets = &argv[3];
		n_targets = 1;
	}
	if (!n_targets || n <= 0)
		return 2;
	/* The round that makes every copy one seen before. */
	if (strcmp(argv[1], "rotation") == 0)
		for (long i = 0; i < n_targets; i++)
			open_one(targets[i]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	open_bench_measure(n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.1f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)n);
	return 0;
}

/* ---- the driver ------------------------------------------------------ */

static char self[PATH_MAX];

/* Runs argv with its stdout (and, with err, its stderr) captured. */
static int run(char *const argv[], char *out, size_t len, bool err)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	size_t used = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], err ? 2 : 1);
	if (err)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while (used + 1 < len && (r = read(pipefd[0], out + used, len - used - 1)) > 0)
		used += (size_t)r;
	out[used] = '\0';
	close(pipefd[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static double time_side(const char *side, const char *scenario, long n, const char *target)
{
	char count[32], out[256];
	char *argv[] = {self,  "--worker",     (char *)side, (char *)scenario,
			count, (char *)target, NULL};

	snprintf(count, sizeof(count), "%ld", n);
	if (run(argv, out, sizeof(out), false) != 0) {
		fprintf(stderr, "open-bench: %s %s failed\n", side, scenario);
		exit(1);
	}
	return strtod(out, NULL);
}

/* Instructions per operation, from callgrind; 0 without valgrind. */
static double instructions(const char *side, const char *scenario, long n, const char *target)
{
	char count[32], out[65536];
	char *argv[] = {"valgrind",
			"--tool=callgrind",
			"--callgrind-out-file=/dev/null",
			"--toggle-collect=open_bench_measure",
			self,
			"--worker",
			(char *)side,
			(char *)scenario,
			count,
			(char *)target,
			NULL};
	const char *c;

	snprintf(count, sizeof(count), "%ld", n);
	if (run(argv, out, sizeof(out), true) != 0 || !(c = strstr(out, "Collected : ")))
		return 0;
	return strtod(c + 12, NULL) / (double)n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void compare(const char *scenario, long n, long n_ir, const char *target, int pairs)
{
	double ratio[pairs], sum_d = 0, sum_p = 0, ir_d, ir_p;

	for (int i = 0; i < pairs; i++) {
		double d, p;

		/* Alternate who goes first: a machine that slows down or
		 * speeds up during the pair favours neither side. */
		if (i % 2) {
			p = time_side("plugkit", scenario, n, target);
			d = time_side("dlopen", scenario, n, target);
		} else {
			d = time_side("dlopen", scenario, n, target);
			p = time_side("plugkit", scenario, n, target);
		}
		ratio[i] = p / d;
		sum_d += d;
		sum_p += p;
	}
	qsort(ratio, (size_t)pairs, sizeof(double), by_value);
	ir_d = instructions("dlopen", scenario, n_ir, target);
	ir_p = instructions("plugkit", scenario, n_ir, target);
	printf("%-9s %10.1f %10.1f %7.2fx %7.2fx %12.0f %12.0f %7.2fx\n", scenario,
	       sum_d / pairs / 1000, sum_p / pairs / 1000, ratio[0], ratio[pairs / 2], ir_d, ir_p,
	       ir_d ? ir_p / ir_d : 0);
	fflush(stdout);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t r;

	if (in < 0 || out < 0) {
		perror(to);
		exit(1);
	}
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)r) != r) {
			perror(to);
			exit(1);
		}
	close(in);
	close(out);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/open-bench-XXXXXX", path[PATH_MAX + 32], plugin[PATH_MAX];
	int pairs = 9, copies = 1000, i;
	ssize_t n;

	if (argc > 1 && strcmp(argv[1], "--worker") == 0 && argc == 6)
		return worker(argv + 2);
	for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (strcmp(argv[i], "--pairs") == 0)
			pairs = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--plugins") == 0)
			copies = atoi(argv[i + 1]);
		else
			break;
	}
	if (i != argc - 1 || pairs < 1 || copies < 1 || !realpath(argv[i], plugin)) {
		fprintf(stderr, "usage: %s [--pairs P] [--plugins K] PLUGIN\n", argv[0]);
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || !mkdtemp(dir))
		return 2;
	self[n] = '\0';
	for (i = 0; i < copies; i++) {
		snprintf(path, sizeof(path), "%s/plugin-%04d.so", dir, i);
		copy_file(plugin, path);
	}
	printf("plugkit_open vs dlopen + dlsym (+ close), %s; %d pairs, %d distinct plugins\n",
	       plugin, pairs, copies);
	printf("%-9s %10s %10s %8s %8s %12s %12s %8s\n", "scenario", "dlopen us", "plugkit us",
	       "min", "median", "dlopen Ir", "plugkit Ir", "Ir");
	compare("cold", 1, 1, plugin, pairs);
	compare("first", copies, copies, dir, pairs);
	compare("reopen", REOPENS, 200, plugin, pairs);
	compare("rotation", (long)copies * ROUNDS, (long)copies * ROUNDS, dir, pairs);
	for (i = 0; i < copies; i++) {
		snprintf(path, sizeof(path), "%s/plugin-%04d.so", dir, i);
		unlink(path);
	}
	rmdir(dir);
	return 0;
}
