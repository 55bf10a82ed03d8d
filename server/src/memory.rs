//! The memory allocator: mimalloc instead of the system's, tuned to give memory back.
//!
//! Rendering a page or answering the API allocates many small strings; mimalloc's per-thread
//! free lists make that much cheaper than glibc's malloc (`scripts/bench.sh`: the cached health
//! API went from 0.39x to 0.54x the bare handler). Untuned, mimalloc keeps freed memory for
//! reuse, and every password hash (Argon2id) borrows 19 MiB: idle RSS grew from 42 to 75 MB.
//! Purging freed pages at once and committing arena memory lazily brings it to about 24 MB.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_arena_eager_commit` in mimalloc.h (the same index in mimalloc v2 and v3).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// `mi_option_purge_delay` in mimalloc.h (the same index in mimalloc v2 and v3).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Applies Greenlight's allocator options; idempotent. `Application::build` calls it, so the
/// server, the tests and the benchmark all run with the same allocator settings.
pub fn tune() {
    // SAFETY: mi_option_set only stores a process-wide tunable; any thread may call it any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}
