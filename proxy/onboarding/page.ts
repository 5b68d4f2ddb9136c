// HTML of the phone-facing setup page: small, readable on a phone, no scripts. The
// detected platform's steps come first; the other platforms stay one tap away.
export type Platform = 'android' | 'ios' | 'other';

export interface CaLinks {
  pem: string;
  der: string;
  /** `<subject_hash_old>.0`, the name Android's system store expects */
  android: string;
  ios: string;
}

export interface OnboardingPageInput {
  platform: Platform;
  links: CaLinks;
  caSubject: string;
  fingerprint: string | null;
  /** HOST:PORT for the phone's proxy settings */
  proxy: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** HOST:PORT kept on one line: an address broken mid-number on a phone gets typed wrong. */
function addr(text: string): string {
  return `<span class="addr">${escapeHtml(text)}</span>`;
}

function androidSteps(i: OnboardingPageInput): string {
  const hashName = escapeHtml(i.links.android.slice('/ca/'.length));
  return `<section id="android"><h2>Android</h2>
<a class="button" href="${escapeHtml(i.links.der)}" download>Download CA certificate (.cer)</a>
<ol>
<li>Set this Wi-Fi network's proxy to <b>Manual</b>, host and port <code>${addr(i.proxy)}</code>
(or from a computer: <code>adb shell settings put global http_proxy ${addr(i.proxy)}</code>; clear it later with <code>adb shell settings put global http_proxy :0</code>).</li>
<li>Install the downloaded file: Settings → Security → Encryption &amp; credentials → Install a certificate → <b>CA certificate</b>.</li>
<li><b>Pinning tests need the system store.</b> Since Android 7, apps ignore user-installed CAs unless their network security config allows them, so a refusal is not proof of pinning.
On an emulator or rooted device, push <a href="${escapeHtml(i.links.android)}" download>${hashName}</a> to <code>/system/etc/security/cacerts/</code>
(Android 14+: <code>/apex/com.android.conscrypt/cacerts/</code>), or test a debug build that trusts user CAs.</li>
<li>Open the app and use the screens you want to test, then watch the Pinprobe hosts board.</li>
</ol></section>`;
}

function iosSteps(i: OnboardingPageInput): string {
  return `<section id="ios"><h2>iPhone / iPad</h2>
<a class="button" href="${escapeHtml(i.links.ios)}">Download configuration profile</a>
<ol>
<li>Settings → Wi-Fi → ⓘ next to this network → Configure Proxy → <b>Manual</b>: server and port <code>${addr(i.proxy)}</code>.</li>
<li>Open this page in <b>Safari</b> and download the profile, then install it: Settings → General → <b>VPN &amp; Device Management</b> → Pinprobe CA → Install.</li>
<li>Turn on full trust: Settings → General → About → <b>Certificate Trust Settings</b> → enable Pinprobe.</li>
<li>Open the app and use the screens you want to test, then watch the Pinprobe hosts board.</li>
</ol></section>`;
}

function otherSteps(i: OnboardingPageInput): string {
  return `<section id="other"><h2>Other devices</h2>
<p><a class="button" href="${escapeHtml(i.links.pem)}" download>Download CA certificate (.pem)</a></p>
<p>Also as <a href="${escapeHtml(i.links.der)}" download>DER (.cer)</a>. Set the device's HTTP proxy to <code>${addr(i.proxy)}</code> and trust the certificate as a root CA.</p>
</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--muted:#5b6470;--accent:#0b63ce;--line:#d8dde3}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--bg:#121417;--card:#1b1e23;--muted:#9aa4b1;--accent:#5aa2ff;--line:#2c3138}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0}h2{font-size:1.1rem;margin:0 0 .75rem}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem;margin:1rem 0}
.button{display:block;text-align:center;padding:.8rem 1rem;border-radius:10px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600}
ol{padding-left:1.2rem}li{margin:.6rem 0}code{font-size:.9em;overflow-wrap:break-word;background:rgba(127,127,127,.15);padding:.05rem .3rem;border-radius:4px}
.addr{white-space:nowrap}code.fp{word-break:break-all}
a{color:var(--accent)}.muted{color:var(--muted);font-size:.9rem}details{margin:1rem 0}summary{cursor:pointer;font-weight:600}
`;

export function onboardingPage(i: OnboardingPageInput): string {
  const sections = { android: androidSteps(i), ios: iosSteps(i), other: otherSteps(i) };
  const order: Platform[] = [i.platform, ...(['android', 'ios', 'other'] as const).filter((p) => p !== i.platform)];
  const [first, ...rest] = order;
  const detected = i.platform === 'android' ? 'Android' : i.platform === 'ios' ? 'iPhone / iPad' : 'this device';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Pinprobe — set up ${escapeHtml(detected)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Pinprobe: set up ${escapeHtml(detected)}</h1>
<p class="muted">Install Pinprobe's CA so it can intercept this device's HTTPS. Remove it when you finish testing.</p>
${sections[first ?? 'other']}
<details><summary>Other platforms</summary>${rest.map((p) => sections[p]).join('\n')}</details>
<p class="muted">CA: ${escapeHtml(i.caSubject)}${i.fingerprint ? `<br>SHA-256: <code class="fp">${escapeHtml(i.fingerprint)}</code>` : ''}</p>
</main></body></html>`;
}
