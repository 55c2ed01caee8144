//! The example host's plugin, in Rust: every hook of examplehost.h's
//! struct examplehost_plugin, so the host's counters can say which heap
//! served Rust's own allocations (a Vec handed over, threads that grow and
//! drop Vecs).  Built twice: on std's default allocator (System, hence
//! malloc, which binds to the host's), and with --cfg bump_allocator, a
//! #[global_allocator] of its own.
use std::cell::Cell;
use std::os::raw::{c_char, c_int, c_uint, c_void};

#[cfg(bump_allocator)]
mod bump;
#[cfg(bump_allocator)]
#[global_allocator]
static ALLOCATOR: bump::Bump = bump::Bump::new();

extern "C" {
    fn free(block: *mut c_void);
    fn strdup(text: *const c_char) -> *mut c_char;
    fn strlen(text: *const c_char) -> usize;
    fn asprintf(out: *mut *mut c_char, format: *const c_char, ...) -> c_int;
    fn fmemopen(buf: *mut c_void, size: usize, mode: *const c_char) -> *mut c_void;
    fn getline(line: *mut *mut c_char, cap: *mut usize, file: *mut c_void) -> isize;
    fn fclose(file: *mut c_void) -> c_int;
    // The host's, from libexamplehost.so.1 (linked with -l dylib=examplehost).
    fn examplehost_heap_thread_counters(allocated: *mut u64, freed: *mut u64) -> bool;
    fn examplehost_heap_owns(block: *const c_void) -> c_int;
}

/// The layout of examplehost.h's struct examplehost_plugin.
#[repr(C)]
pub struct ExamplehostPlugin {
    abi: u32,
    name: *const c_char,
    alloc_block: extern "C" fn(usize) -> *mut c_void,
    free_block: extern "C" fn(*mut c_void),
    libc_strdup: extern "C" fn(*const c_char) -> *mut c_char,
    libc_asprintf: extern "C" fn(c_uint) -> *mut c_char,
    libc_getline: extern "C" fn(*const c_char) -> *mut c_char,
    threads: extern "C" fn(c_uint, c_uint, *mut u64, *mut u64) -> c_int,
}

// A table of function pointers and a static string: shared read-only.
unsafe impl Sync for ExamplehostPlugin {}

/// A Vec of Rust's allocator, handed to the host, which free()s it.
extern "C" fn alloc_block(size: usize) -> *mut c_void {
    let block = vec![0x5au8; size].into_boxed_slice();
    Box::into_raw(block) as *mut c_void
}

/// The host malloc()ed it: free() it, as the host's API says.
extern "C" fn free_block(block: *mut c_void) {
    unsafe { free(block) }
}

extern "C" fn libc_strdup(text: *const c_char) -> *mut c_char {
    unsafe { strdup(text) }
}

extern "C" fn libc_asprintf(value: c_uint) -> *mut c_char {
    let mut out = std::ptr::null_mut();
    let format = b"value %u from the Rust plugin\0".as_ptr() as *const c_char;
    if unsafe { asprintf(&mut out, format, value) } < 0 {
        return std::ptr::null_mut();
    }
    out
}

extern "C" fn libc_getline(text: *const c_char) -> *mut c_char {
    unsafe {
        let file = fmemopen(text as *mut c_void, strlen(text), b"r\0".as_ptr() as *const c_char);
        if file.is_null() {
            return std::ptr::null_mut();
        }
        let (mut line, mut cap) = (std::ptr::null_mut(), 0usize);
        if getline(&mut line, &mut cap, file) < 0 {
            free(line as *mut c_void);
            line = std::ptr::null_mut();
        }
        fclose(file);
        line
    }
}

thread_local! {
    // What this thread asked for: a fresh zero in every thread.
    static REQUESTED: Cell<u64> = Cell::new(0);
}

fn counters() -> Option<(u64, u64)> {
    let (mut allocated, mut freed) = (0, 0);
    unsafe { examplehost_heap_thread_counters(&mut allocated, &mut freed) }.then(|| (allocated, freed))
}

/// rounds Vecs grown to twice their size and dropped; returns the bytes
/// the host heap served (its counters, else the blocks it claims) and the
/// bytes asked for.
fn work(rounds: u32) -> (u64, u64) {
    let before = counters();
    let mut owned = 0u64;
    for i in 0..rounds as usize {
        let size = 16 + (i * 37) % 2000;
        let mut v: Vec<u8> = Vec::with_capacity(size);
        v.resize(size, i as u8);
        if unsafe { examplehost_heap_owns(v.as_ptr() as *const c_void) } == 1 {
            owned += size as u64;
        }
        v.reserve_exact(size);
        if unsafe { examplehost_heap_owns(v.as_ptr() as *const c_void) } == 1 {
            owned += 2 * size as u64;
        }
        REQUESTED.with(|r| r.set(r.get() + 3 * size as u64));
    }
    let host = match (before, counters()) {
        (Some((a0, _)), Some((a1, _))) => a1 - a0,
        _ => owned,
    };
    (host, REQUESTED.with(|r| r.get()))
}

extern "C" fn threads(nthreads: c_uint, rounds: c_uint, host_bytes: *mut u64, requested: *mut u64) -> c_int {
    let results: Vec<(u64, u64)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..nthreads).map(|_| s.spawn(move || work(rounds))).collect();
        workers.into_iter().filter_map(|w| w.join().ok()).collect()
    });
    unsafe {
        *host_bytes = results.iter().map(|r| r.0).sum();
        *requested = results.iter().map(|r| r.1).sum();
    }
    if results.len() == nthreads as usize { 0 } else { -1 }
}

#[no_mangle]
pub static examplehost_plugin: ExamplehostPlugin = ExamplehostPlugin {
    abi: 1, // EXAMPLEHOST_PLUGIN_ABI
    name: b"rust\0".as_ptr() as *const c_char,
    alloc_block,
    free_block,
    libc_strdup,
    libc_asprintf,
    libc_getline,
    threads,
};
