// OpenSSL error strings as Node passes them on carry an error queue id, the library, the C
// function and the source file ("C0…:error:0A0000C1:SSL routines:tls_post_process_client_hello:
// no shared cipher:../deps/openssl/openssl/ssl/statem/statem_srvr.c:2283:"). Reasons a tester
// reads keep only the words that mean something: "no shared cipher".
const OPENSSL_ERROR = /(?:[0-9A-F]{8,}:)?error:[0-9A-F]{8}:[^:]*:(?:[A-Za-z0-9_]*:)?([^:]+)(?::[^\s:]*\.c:\d+:?)?/g;
const SOURCE_PATH = /(?:\.\.\/)*deps\/openssl\/\S*\.c:\d+:?/g;

export function cleanTlsMessage(text: string): string {
  return text.replace(OPENSSL_ERROR, (_m, reason: string) => reason.trim()).replace(SOURCE_PATH, '').replace(/\s{2,}/g, ' ').trim();
}
