/*
 * Code that only passes a call on: the first direct call or jump in a
 * function, followed through the PLT to the symbol whose GOT slot it uses.
 * What tells a C++ operator that forwards to malloc or free (one heap) from
 * one with a heap of its own.
 */
#ifndef PLUGKIT_FORWARD_H
#define PLUGKIT_FORWARD_H

#include "elfread.h"

/*
 * The dynamic symbol index of the first symbol wanted accepts that the
 * function at addr in elf (size bytes long, 0 when not known) calls or
 * jumps to through its PLT (x86_64: call/jmp rel32; AArch64: b/bl) within
 * its first instructions, or 0.
 */
uint64_t forwarded_to(const struct elf_file *elf, uint64_t addr, uint64_t size,
		      bool (*wanted)(const char *name));

#endif
