// Moves bytes both ways between two sockets until both are done. Each direction ends on its
// own: a FIN is passed on (pipe's end: true) and the other side may still answer, as
// without a proxy. An error, or a socket gone before its end was passed on (a reset, a
// destroy), tears both down.
//
// Plain pipe() with explicit handling rather than stream.pipeline: pipeline puts several
// close listeners on each socket per direction, which together with the HTTP server's own
// on a CONNECT or upgrade socket went past Node's limit of 10 (MaxListenersExceededWarning
// on every tunnel), and it costs more per connection (as for bodies, http-forward.ts).
import type { Duplex } from 'node:stream';

export function relay(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const tearDown = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', tearDown);
  b.on('error', tearDown);
  a.once('close', () => {
    if (!a.readableEnded) b.destroy();
  });
  b.once('close', () => {
    if (!b.readableEnded) a.destroy();
  });
}
