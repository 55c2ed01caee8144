/* plugkit's templates, embedded at build time by embed.py. */
#ifndef PLUGKIT_TEMPLATES_H
#define PLUGKIT_TEMPLATES_H

/* One file of a project skeleton; path and text carry @PLACEHOLDERS@. */
struct scaffold_file {
	const char *path, *text;
};

/* templates/scaffold/{host,plugin,plugin-cpp}, each ended by a NULL path. */
extern const struct scaffold_file scaffold_host[], scaffold_plugin[], scaffold_plugin_cpp[];

/* Identifiers and header names the skeletons use themselves (a project
 * named after one would break), ended by NULL. */
extern const char *const scaffold_reserved[];

/* templates/host.map.in and templates/shim/main.c. */
extern const char template_host_map[], template_shim[];

#endif
