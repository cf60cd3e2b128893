//! crossflake's test crate with CMake inside (tests/cmake_inside.py): zlib-ng, which
//! libz-ng-sys builds with zlib-ng's own CMake scripts through the `cmake` crate, so CMake
//! configures and compiles it with the toolchain file it is given for the target.

use std::ffi::CStr;

use libz_ng_sys as zng;

/// What the program checksums and compresses (tests/cmake_inside.py has the same bytes).
const MESSAGE: &[u8] = b"crossflake";

fn main() {
    // SAFETY: zlib-ng's version is a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(zng::zlibVersion()) };
    println!("zlib-ng {}", version.to_string_lossy());

    // SAFETY: the pointer and length describe MESSAGE.
    let crc = unsafe { zng::crc32(0, MESSAGE.as_ptr(), MESSAGE.len() as zng::uInt) };
    println!("crc32 {crc:08x}");

    let input = MESSAGE.repeat(100);
    let mut packed = vec![0u8; 2 * input.len() + 64];
    let mut packed_len = packed.len();
    // SAFETY: each buffer is described by its own pointer and length.
    let status = unsafe {
        zng::compress(
            packed.as_mut_ptr(),
            &mut packed_len,
            input.as_ptr(),
            input.len(),
        )
    };
    assert_eq!(status, zng::Z_OK, "compress");
    let mut unpacked = vec![0u8; input.len()];
    let mut unpacked_len = unpacked.len();
    // SAFETY: as above.
    let status = unsafe {
        zng::uncompress(
            unpacked.as_mut_ptr(),
            &mut unpacked_len,
            packed.as_ptr(),
            packed_len,
        )
    };
    assert_eq!(status, zng::Z_OK, "uncompress");
    assert_eq!(&unpacked[..unpacked_len], &input[..], "round trip");
    println!(
        "deflate {} -> {packed_len} -> {unpacked_len} bytes",
        input.len()
    );
}
