/* A Rust #[global_allocator] in the objects loaded at start-up. */
#ifndef PLUGKIT_RUST_H
#define PLUGKIT_RUST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * False, with a message, when an object loaded at start-up (the program or
 * a library it needs: a Rust host behind its shim) allocates through a Rust
 * #[global_allocator] but is not where malloc comes from: every Vec or
 * String it hands over is freed by malloc's provider, on another heap.
 */
bool rust_process_ok(char *msg, size_t len);

#endif
