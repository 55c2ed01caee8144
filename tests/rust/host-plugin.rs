//! A plugin for the Rust host (host.rs) on std's default allocator: it
//! drops the host's Vecs and hands over its own.
use std::os::raw::c_char;

#[repr(C)]
pub struct HostrsPlugin {
    abi: u32,
    name: *const c_char,
    take: extern "C" fn(*mut u8, usize, usize),
    make: extern "C" fn(usize) -> *mut u8,
}

// Function pointers and a static string: shared read-only.
unsafe impl Sync for HostrsPlugin {}

extern "C" fn take(ptr: *mut u8, len: usize, cap: usize) {
    drop(unsafe { Vec::from_raw_parts(ptr, len, cap) });
}

extern "C" fn make(len: usize) -> *mut u8 {
    let mut block = vec![0x5au8; len];
    block.shrink_to_fit();
    let ptr = block.as_mut_ptr();
    std::mem::forget(block);
    ptr
}

#[no_mangle]
pub static hostrs_plugin: HostrsPlugin = HostrsPlugin {
    abi: 1, // HOSTRS_PLUGIN_ABI
    name: b"rust plugin\0".as_ptr() as *const c_char,
    take,
    make,
};
