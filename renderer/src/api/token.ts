// The control API token arrives in the URL fragment (never sent to a server). It is moved
// to sessionStorage and wiped from the address bar so it does not linger in history or
// screenshots; a reload in the same tab still finds it.
const KEY = 'pinprobe.token';

export function takeToken(): string | null {
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const fromHash = hash.get('token');
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(KEY);
}
