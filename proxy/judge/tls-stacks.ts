// Names the TLS stack behind a JA4 where it is recognisable (docs/verdicts.md "TLS clients").
// Keyed on JA4's cipher part (b): it is the stack's built-in cipher list, stable across
// SNI/ALPN choices and extension order, while part a/c move with options. Only stacks
// observed here or with a published fingerprint are listed; anything else is "unknown" —
// never an app's name, since many apps share one stack. No Node imports: the UI uses it too.

const BY_CIPHER_HASH: Record<string, string> = {
  // curl 7.88 / OpenSSL 3.0 (captured here; matches fingerproxy's published curl JA4)
  e8f1e7e78f70: 'curl/OpenSSL',
  // Node 20 tls/https (captured here)
  a33745022dd6: 'Node',
  // JDK 17 JSSE, HttpsURLConnection (captured here)
  db35923f8641: 'Java',
  // wget 1.21 / GnuTLS 3.7 (captured here)
  '723694b0fccc': 'GnuTLS',
  // Chromium 156 (captured here); Android's Conscrypt (OkHttp, Cronet) offers the same 15 suites
  '8daaf6152771': 'Chromium/BoringSSL',
  // Firefox (FoxIO's published Firefox JA4)
  '5b57614c22b0': 'Firefox/NSS',
};

/** "Chromium/BoringSSL", …, or "unknown". */
export function tlsStackOf(ja4: string | null | undefined): string {
  if (!ja4) return 'unknown';
  const cipherHash = ja4.split('_')[1] ?? '';
  return BY_CIPHER_HASH[cipherHash] ?? 'unknown';
}

/** "curl/OpenSSL (t13d3112h2_…)" — how reasons and screens name a TLS client. */
export function describeTlsClient(ja4: string | null | undefined): string {
  if (!ja4) return 'a client without a recorded fingerprint';
  const stack = tlsStackOf(ja4);
  return stack === 'unknown' ? `JA4 ${ja4}` : `${stack} (JA4 ${ja4})`;
}
