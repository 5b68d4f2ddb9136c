// How much an intercepted client socket may queue for writing before backpressure pauses
// the backend's answer. Node's default (16 KiB, one TLS record) made every chunk of a
// large download a round of write → 'drain' → resume → readStart: a write syscall and an
// epoll_ctl per 16 KiB, and as many pause/resume turns on the loop (strace over ten 10 MiB
// downloads: 6,488 write/writev calls and 5,198 epoll_ctl before, 530 and 782 with this).
// With room for a few records, the writes that pile up during one TLS write go out
// together in one writev. Only the client side: a larger read buffer on the upstream
// socket bought no CPU in a minimal TLS relay and cost ~5 MiB RSS with 8 downloads at once.
export const STREAM_HIGH_WATER_MARK = 256 * 1024;
