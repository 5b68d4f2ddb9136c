// Fetch wrapper for the control API: Bearer token on every call, JSON both ways, and the
// API's `{error}` message surfaced as the Error's message so views can show it in place.
let token = '';

export function setToken(value: string): void {
  token = value;
}

export class ApiError extends Error {
  /**
   * `field`: the setting the error is about (e.g. `clientCerts.0.cert`), when the API
   * knows; `detail`: the part of the message to show next to that field.
   */
  constructor(readonly status: number, message: string, readonly field?: string, readonly detail?: string) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Pinprobe is not answering; is it still running?');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // fall through: reported below
  }
  if (!res.ok) {
    const err = json && typeof json === 'object' ? (json as { error?: unknown; field?: unknown; detail?: unknown }) : {};
    const message = err.error !== undefined ? String(err.error) : `HTTP ${res.status}`;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    throw new ApiError(res.status, message, str(err.field), str(err.detail));
  }
  return json as T;
}

export const api = {
  get: <T>(path: string): Promise<T> => call<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => call<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown): Promise<T> => call<T>('PUT', path, body),
};

/**
 * Downloads `path` with the Bearer header and saves it as a blob: the token never appears
 * in a URL, so it never lands in the browser's download history (a plain link would need
 * `?token=` because a link cannot carry the header).
 */
export async function downloadFile(path: string, fileName?: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  } catch {
    throw new ApiError(0, 'Pinprobe is not answering; is it still running?');
  }
  if (!res.ok) throw new ApiError(res.status, `download failed (${res.status})`);
  const name = fileName ?? /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function liveUrl(since: number): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/api/live?token=${encodeURIComponent(token)}&since=${since}`;
}
