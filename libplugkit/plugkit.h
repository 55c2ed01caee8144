/*
 * libplugkit: load a plugin and refuse it at the door when it would not
 * share the host's heap.
 *
 * plugkit_open() first judges the plugin's file and everything its dlopen
 * would load, against what the process has loaded (a second host, a
 * private allocator, static TLS, a need found nowhere, a truncated file),
 * so that a refused plugin never runs a line of its code.  Then it
 * dlopen()s it by absolute path with RTLD_NOW | RTLD_LOCAL, checks its
 * descriptor, and reads where every allocator reference of the plugin (and
 * of whatever it brought in) really landed after relocation: all must land
 * in the process's allocator provider, the object the global scope's
 * malloc comes from.  Errors come back as a status and a message; nothing
 * aborts.  Safe to call from any number of threads.
 */
#ifndef PLUGKIT_H
#define PLUGKIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLUGKIT_API __attribute__((visibility("default")))

/*
 * Every descriptor a plugin exports starts with these two fields; the host
 * defines the rest (its entry points).
 */
struct plugkit_descriptor {
	uint32_t abi;
	const char *name;
};

enum plugkit_status {
	PLUGKIT_OK = 0,
	PLUGKIT_EPATH,              /* not an absolute path */
	PLUGKIT_ELOAD,              /* unreadable, truncated, a need not found, or dlopen failed */
	PLUGKIT_ESTATIC_TLS,        /* more initial-exec TLS than static TLS has left */
	PLUGKIT_EDESCRIPTOR,        /* no descriptor symbol */
	PLUGKIT_EABI,               /* descriptor of another ABI version */
	PLUGKIT_EPROVIDER,          /* the process itself has two allocators */
	PLUGKIT_EBINDING,           /* an allocator reference lands elsewhere */
	PLUGKIT_EPRIVATE_ALLOCATOR, /* the plugin carries an allocator */
	PLUGKIT_ESECOND_HOST,       /* it would load a second copy of a loaded library */
};

struct plugkit_error {
	enum plugkit_status status;
	char message[1024];
};

struct plugkit_plugin {
	void *handle;
	const struct plugkit_descriptor *descriptor;
};

/*
 * Opens the plugin at path (absolute) and checks it: before dlopen, the
 * plugin and what it would load pass the core's rules; after, the
 * descriptor named descriptor_symbol must carry ABI abi, and every
 * allocator reference must bind to the provider.  Returns PLUGKIT_OK, or
 * closes what it opened and returns the status, with error->message naming
 * what is wrong, the rule's id, why it matters and how to fix it.
 */
PLUGKIT_API enum plugkit_status plugkit_open(const char *path, const char *descriptor_symbol,
					     uint32_t abi, struct plugkit_plugin *plugin,
					     struct plugkit_error *error);

PLUGKIT_API void plugkit_close(struct plugkit_plugin *plugin);

/*
 * Judges the process itself, once: every allocator reference already bound
 * lands in the provider, and no loaded object that defines malloc sits
 * behind it.  A host calls it first thing, before it allocates: when the
 * wiring is wrong (a versioned allocator export, libc.so.6 ahead of the
 * allocator, a shim that defines malloc), every later free() is a gamble.
 * plugkit_open() refuses every plugin in such a process, with the same
 * message.
 */
PLUGKIT_API enum plugkit_status plugkit_verify_process(struct plugkit_error *error);

#ifdef __cplusplus
}
#endif

#endif
