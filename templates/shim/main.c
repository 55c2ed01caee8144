/*
 * plugkit shim: the whole program lives in the host library.
 *
 * This executable exists so that the host library, and the allocator it
 * carries, is a DT_NEEDED entry of the main program.  ld.so builds the global
 * scope breadth-first over DT_NEEDED and the first definition of malloc in it
 * wins, so the host has to be listed ahead of libc.so.6: the linker does that
 * when the host comes before the implicit -lc, which is what `link_with`
 * gives.  Add nothing here; anything this file defined would sit in front of
 * the host in the scope.
 */
#ifndef PLUGKIT_HOST_ENTRY
#error "define PLUGKIT_HOST_ENTRY to the host library's entry point"
#endif

int PLUGKIT_HOST_ENTRY(int argc, char **argv);

int main(int argc, char **argv)
{
	return PLUGKIT_HOST_ENTRY(argc, argv);
}
