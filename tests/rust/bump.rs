//! A bump arena as #[global_allocator]: nothing in it is named malloc, and
//! nothing it hands out came from malloc.  Frees are no-ops.
use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

const ARENA: usize = 64 << 20;

pub struct Bump {
    arena: UnsafeCell<[u8; ARENA]>,
    next: AtomicUsize,
}

// The arena is only ever handed out in disjoint pieces, claimed atomically.
unsafe impl Sync for Bump {}

impl Bump {
    pub const fn new() -> Bump {
        Bump { arena: UnsafeCell::new([0; ARENA]), next: AtomicUsize::new(0) }
    }
}

unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            let start = (next + layout.align() - 1) & !(layout.align() - 1);
            let end = start + layout.size();
            if end > ARENA {
                return std::ptr::null_mut();
            }
            match self.next.compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return (self.arena.get() as *mut u8).add(start),
                Err(seen) => next = seen,
            }
        }
    }

    unsafe fn dealloc(&self, _block: *mut u8, _layout: Layout) {}
}
