/*
 * Where ld.so would find a DT_NEEDED name that nothing loaded answers to
 * (glibc elf/dl-load.c, _dl_map_object): the requester's DT_RPATH and its
 * loaders' (only without a DT_RUNPATH), the program's DT_RPATH,
 * LD_LIBRARY_PATH, the requester's DT_RUNPATH, ld.so.cache, the system
 * directories (the last two not with DF_1_NODEFLIB).  A candidate of
 * another class or machine is passed over, as ld.so passes it over.
 */
#ifndef PLUGKIT_SEARCH_H
#define PLUGKIT_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One object of a DT_RPATH chain, requester first. */
struct search_origin {
	const char *path; /* the name it was opened by: $ORIGIN is its directory */
	const char *rpath, *runpath;
	uint64_t flags_1;
};

struct search_request {
	const char *name;
	const struct search_origin *chain; /* chain[0] is the requester */
	size_t n_chain;
	bool is64;
	uint16_t machine;
};

/*
 * The path ld.so would load for the request, in found; false when nothing
 * matches, with the places tried (':'-separated, shortened) in searched.
 */
bool search_needed(const struct search_request *req, char *found, size_t len, char *searched,
		   size_t slen);

#endif
