// Small response and request helpers, so every error reaching the UI has the same shape:
// `{error: "..."}` naming what to fix.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every answer carries, shell or data. */
export function baseHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * `field`, when known, names the setting the error is about (e.g. `clientCerts.0.cert`)
 * and `detail` is the part of the message to show next to that field.
 */
export function sendError(res: ServerResponse, status: number, error: string, field?: { field: string; detail: string }): void {
  sendJson(res, status, field === undefined ? { error } : { error, ...field });
}

/** A download: the browser saves it under `fileName` instead of showing it. */
export function sendDownload(res: ServerResponse, data: Buffer | string, fileName: string, contentType: string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  res.statusCode = 200;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', buf.length);
  const ascii = fileName.replace(/[^\w.\-]/g, '_');
  res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  res.end(buf);
}

/** An error raised by a handler that should reach the user with this status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly field?: { field: string; detail: string }) {
    super(message);
  }
}

const MAX_JSON_BODY = 1024 * 1024;

/** Reads a JSON object body (≤ 1 MiB); anything else is a 400/413 naming the problem. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_JSON_BODY) throw new HttpError(413, 'request body is larger than 1 MiB');
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
