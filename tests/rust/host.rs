//! A Rust host, as the seed's write-up ends up with: the program is this
//! cdylib (libhostrs.so.1) behind a C shim from `plugkit generate shim`,
//! with libplugkit.a linked in.  It hands a plugin Vecs to drop and drops
//! the plugin's.  Built twice: on std's default allocator (System), and
//! with --cfg bump_allocator, a #[global_allocator] of its own that nothing
//! exports as malloc: the seed's split heap.
use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};

#[cfg(bump_allocator)]
mod bump;
#[cfg(bump_allocator)]
#[global_allocator]
static ALLOCATOR: bump::Bump = bump::Bump::new();

pub const HOSTRS_PLUGIN_ABI: u32 = 1;

/// What a plugin exports as hostrs_plugin; starts like struct
/// plugkit_descriptor (abi, name).
#[repr(C)]
pub struct HostrsPlugin {
    pub abi: u32,
    pub name: *const c_char,
    /// Takes a Vec<u8> of the host's (pointer, length, capacity) and drops it.
    pub take: extern "C" fn(*mut u8, usize, usize),
    /// A Vec<u8> of the plugin's, of len bytes (capacity len), for the host to drop.
    pub make: extern "C" fn(usize) -> *mut u8,
}

// libplugkit.h, as far as this host uses it.
#[repr(C)]
struct PlugkitError {
    status: c_int,
    message: [c_char; 1024],
}
#[repr(C)]
struct PlugkitPlugin {
    handle: *mut c_void,
    descriptor: *const HostrsPlugin,
}
extern "C" {
    fn plugkit_verify_process(error: *mut PlugkitError) -> c_int;
    fn plugkit_open(path: *const c_char, symbol: *const c_char, abi: u32, plugin: *mut PlugkitPlugin,
                    error: *mut PlugkitError) -> c_int;
    fn dlopen(path: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlerror() -> *const c_char;
}
const RTLD_NOW: c_int = 2;

const SYMBOL: &[u8] = b"hostrs_plugin\0";

fn new_error() -> PlugkitError {
    PlugkitError { status: 0, message: [0; 1024] }
}

fn message(error: &PlugkitError) -> String {
    unsafe { CStr::from_ptr(error.message.as_ptr()) }.to_string_lossy().into_owned()
}

/// plugkit_open, or a plain dlopen with --unchecked.
fn load(path: &CStr, checked: bool) -> Result<&'static HostrsPlugin, String> {
    unsafe {
        if checked {
            let mut plugin = PlugkitPlugin { handle: std::ptr::null_mut(), descriptor: std::ptr::null() };
            let mut error = new_error();
            if plugkit_open(path.as_ptr(), SYMBOL.as_ptr() as *const c_char, HOSTRS_PLUGIN_ABI, &mut plugin,
                            &mut error) != 0 {
                return Err(message(&error));
            }
            return Ok(&*plugin.descriptor);
        }
        let handle = dlopen(path.as_ptr(), RTLD_NOW);
        let descriptor = if handle.is_null() {
            std::ptr::null_mut()
        } else {
            dlsym(handle, SYMBOL.as_ptr() as *const c_char)
        };
        if descriptor.is_null() {
            return Err(CStr::from_ptr(dlerror()).to_string_lossy().into_owned());
        }
        Ok(&*(descriptor as *const HostrsPlugin))
    }
}

/// hostrs [--unchecked] PLUGIN: the shim's main().
#[no_mangle]
pub extern "C" fn hostrs_main(argc: c_int, argv: *const *const c_char) -> c_int {
    let args: Vec<&CStr> = (0..argc as usize).map(|i| unsafe { CStr::from_ptr(*argv.add(i)) }).collect();
    let checked = !(args.len() == 3 && args[1].to_bytes() == b"--unchecked");
    if args.len() != 2 + (!checked) as usize {
        eprintln!("usage: hostrs [--unchecked] PLUGIN");
        return 2;
    }
    if checked {
        let mut error = new_error();
        if unsafe { plugkit_verify_process(&mut error) } != 0 {
            eprintln!("hostrs: refusing to run: {}", message(&error));
            return 1;
        }
    }
    // plugkit_open takes absolute paths only, as every host should.
    let path = match std::fs::canonicalize(args[args.len() - 1].to_str().unwrap_or("")) {
        Ok(path) => std::ffi::CString::new(path.into_os_string().into_string().unwrap_or_default()).unwrap_or_default(),
        Err(why) => {
            eprintln!("hostrs: {}: {}", args[args.len() - 1].to_string_lossy(), why);
            return 2;
        }
    };
    let plugin = match load(&path, checked) {
        Ok(plugin) => plugin,
        Err(why) => {
            eprintln!("hostrs: cannot load {}", why);
            return 1;
        }
    };
    // Small, medium and mmap-sized blocks, each way.
    for size in [24usize, 4000, 300_000] {
        let mut block = vec![0xa5u8; size];
        let (ptr, len, cap) = (block.as_mut_ptr(), block.len(), block.capacity());
        std::mem::forget(block);
        (plugin.take)(ptr, len, cap);
        let theirs = (plugin.make)(size);
        drop(unsafe { Vec::from_raw_parts(theirs, size, size) });
    }
    println!("hostrs: 6 Vecs crossed the boundary and were dropped on the other side");
    0
}
