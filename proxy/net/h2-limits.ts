// HTTP/2 limits Pinprobe applies on both sides of an intercepted h2 connection (documented
// in docs/decisions.md "HTTP/2"). Node's own defaults are unbounded streams (2^32-1) and a
// 64 KiB stream window; these keep one client from holding unbounded memory while letting
// a gRPC client or a browser run at full speed.
import type http2 from 'node:http2';

/** Streams one client connection (and Pinprobe's matching backend connection) may have open at once. */
export const H2_MAX_CONCURRENT_STREAMS = 256;
/** Largest header block accepted (HPACK-decoded size, as SETTINGS_MAX_HEADER_LIST_SIZE counts it). */
export const H2_MAX_HEADER_LIST_SIZE = 64 * 1024;
/**
 * Per-stream receive window. Flow control is what makes backpressure work end to end: a
 * stream's window only reopens as the other side reads what was relayed.
 */
export const H2_STREAM_WINDOW = 1024 * 1024;
/** Connection-wide receive window: bounds what all of a connection's streams can have in flight. */
export const H2_CONNECTION_WINDOW = 4 * 1024 * 1024;
/** Node's per-session memory cap for nghttp2 buffers (MiB); past it new streams are refused. */
export const H2_MAX_SESSION_MEMORY_MB = 32;

/**
 * Node answers a client's protocol error (a malformed frame) with GOAWAY but then keeps the
 * connection open, answering nothing. Each client connection is pinged this often; one that
 * leaves a PING unanswered for as long is closed and recorded.
 */
export const H2_PING_MS = 20_000;

export const H2_SETTINGS: http2.Settings = {
  // Server push is refused: Pinprobe neither pushes to clients nor accepts pushes from backends.
  enablePush: false,
  maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS,
  maxHeaderListSize: H2_MAX_HEADER_LIST_SIZE,
  initialWindowSize: H2_STREAM_WINDOW,
};

/** Session options shared by the client-facing server and the backend-facing sessions. */
export const H2_SESSION_OPTIONS = {
  settings: H2_SETTINGS,
  maxSessionMemory: H2_MAX_SESSION_MEMORY_MB,
  maxHeaderListPairs: 512,
} as const;

/** RST_STREAM / GOAWAY codes (RFC 9113 §7) used by name. */
export const H2_NO_ERROR = 0;
export const H2_PROTOCOL_ERROR = 1;
export const H2_INTERNAL_ERROR = 2;
export const H2_REFUSED_STREAM = 7;
export const H2_CANCEL = 8;
