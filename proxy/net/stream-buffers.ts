// How much a relayed body may buffer per socket before backpressure pauses the other side.
// Node's default (16 KiB, one TLS record) made every chunk of a large download a round of
// write → 'drain' → resume → readStart: a write syscall and an epoll_ctl per 16 KiB, and
// as many pause/resume turns on the loop (strace over ten 10 MiB downloads: 6,488 write/
// writev calls and 5,198 epoll_ctl before, 530 and 782 with this). With room for a few
// records queued, writes that pile up during one TLS write go out together in one writev.
// Bounded, so memory per connection stays small (two sockets per relayed exchange).
export const STREAM_HIGH_WATER_MARK = 256 * 1024;
