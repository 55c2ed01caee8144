/* plugkit: the command line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage_main(FILE *out)
{
	fputs("Usage: plugkit COMMAND [ARGS...]\n"
	      "Makes plugin linking on Linux correct, and checks it.\n"
	      "\n"
	      "Commands:\n"
	      "  check   judge a host and its plugins against the plugin-linking contract\n"
	      "  scan    list what the loader sees in ELF files (SONAME, NEEDED, RUNPATH, flags)\n"
	      "  rpath   point installed files' DT_RUNPATH at a library directory, $ORIGIN-relative\n"
	      "  new     write a new host project, or a new plugin project for a host\n"
	      "  generate  write a host's version script or shim (for its meson.build)\n"
	      "  help    show help for a command\n"
	      "\n"
	      "  -h, --help     show this help\n"
	      "  -V, --version  show the version\n"
	      "\n"
	      "Run 'plugkit help COMMAND' for a command's options.\n",
	      out);
}

/* The commands, with their help and what runs them. */
static const struct command {
	const char *name;
	void (*usage)(FILE *out);
	int (*run)(int argc, char **argv);
} commands[] = {
	{"check", usage_check, cmd_check},          {"scan", usage_scan, cmd_scan},
	{"rpath", usage_rpath, cmd_rpath},          {"new", usage_new, cmd_new},
	{"generate", usage_generate, cmd_generate},
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage_main(stdout);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		fputs("Usage: plugkit help [COMMAND]\n"
		      "Shows what COMMAND does and its options; without one, the commands.\n",
		      stdout);
		return 0;
	}
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "plugkit help: no command '%s'\nTry 'plugkit --help'.\n", argv[1]);
		return 2;
	}
	c->usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage_main(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return cmd_help(1, argv);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("plugkit %s\n", PLUGKIT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (!(c = find_command(argv[1]))) {
		fprintf(stderr, "plugkit: unknown command '%s'\nTry 'plugkit --help'.\n", argv[1]);
		return 2;
	}
	return c->run(argc - 1, argv + 1);
}
