// Session lines folded into Traffic rows, incrementally: one row per connection and one
// per HTTP request, later events (TLS outcome, response, close) filling in their row.
import type { ClientTlsEvent, ConnectionEvent, RequestEvent, ResponseEvent, SessionLine, UpstreamEvent, WebSocketEvent, WebSocketMessageEvent } from '../api/types';

export interface ConnectionRow {
  kind: 'connection';
  key: string;
  seq: number;
  conn: ConnectionEvent;
  tls: ClientTlsEvent | null;
  closed: { bytesFromClient: number; bytesToClient: number } | null;
}

export interface RequestRow {
  kind: 'request';
  key: string;
  seq: number;
  request: RequestEvent;
  response: ResponseEvent | null;
  /** Line indexes in the viewed session (-1 when not known), to fetch an evicted line in full. */
  requestIndex: number;
  responseIndex: number | null;
  upstream: UpstreamEvent[];
  websocket: WebSocketEvent | null;
  /** A WebSocket upgrade's messages, both ways, in recorded order. */
  messages: WebSocketMessageEvent[];
  /** The connection row this request travelled on, when known. */
  connection: ConnectionRow | null;
}

export type TrafficRow = ConnectionRow | RequestRow;

export class TrafficModel {
  readonly rows: TrafficRow[] = [];
  private readonly connections = new Map<string, ConnectionRow>();
  private readonly requests = new Map<string, RequestRow>();

  /** `index`: the line's index in the viewed session (for /api/line), -1 when unknown. */
  add(line: SessionLine, index = -1): void {
    switch (line.type) {
      case 'connection': {
        const row: ConnectionRow = { kind: 'connection', key: `c:${line.id}`, seq: this.rows.length, conn: line, tls: null, closed: null };
        this.connections.set(line.id, row);
        this.rows.push(row);
        return;
      }
      case 'client-tls': {
        const row = this.connections.get(line.id);
        if (row) row.tls = line;
        return;
      }
      case 'close': {
        const row = this.connections.get(line.id);
        if (row) row.closed = { bytesFromClient: line.bytesFromClient, bytesToClient: line.bytesToClient };
        return;
      }
      case 'request': {
        const row: RequestRow = {
          kind: 'request', key: `r:${line.id}`, seq: this.rows.length, request: line, response: null, upstream: [], websocket: null, messages: [],
          requestIndex: index, responseIndex: null,
          connection: this.connections.get(line.conn) ?? null,
        };
        this.requests.set(line.id, row);
        this.rows.push(row);
        return;
      }
      case 'response': {
        const row = this.requests.get(line.id);
        if (row) {
          row.response = line;
          row.responseIndex = index;
        }
        return;
      }
      case 'upstream': {
        const row = line.request ? this.requests.get(line.request) : undefined;
        if (row) row.upstream.push(line);
        return;
      }
      case 'websocket': {
        // Older files have no `request` link: the latest request on that connection to that URL.
        const row = line.request ? this.requests.get(line.request) : [...this.requests.values()].reverse().find((r) => r.request.conn === line.conn && r.request.url === line.url);
        if (row) row.websocket = line;
        return;
      }
      case 'ws-message': {
        this.requests.get(line.request)?.messages.push(line);
        return;
      }
      default:
        return;
    }
  }
}

export function rowHost(row: TrafficRow): string {
  return row.kind === 'connection' ? row.conn.target.host : row.request.host;
}

export function rowClient(row: TrafficRow): string {
  return row.kind === 'connection' ? row.conn.client.address : row.request.clientAddress;
}

export function rowTime(row: TrafficRow): string {
  return row.kind === 'connection' ? row.conn.time : row.request.time;
}
