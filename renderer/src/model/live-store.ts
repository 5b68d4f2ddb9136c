// The UI's copy of the viewed session, kept outside React: lines arrive over the live
// WebSocket (hundreds a second under load), are folded into models incrementally, and
// React is told at most every 100 ms so a busy session never floods rendering.
import { api, liveUrl } from '../api/client';
import type { EventsResponse, LiveMessage, Report, SessionLine, ViewInfo } from '../api/types';
import { DeviceModel, type Device } from './devices';
import { TrafficModel } from './traffic-rows';

export type LinkState = 'connecting' | 'live' | 'reconnecting';

export interface Snapshot {
  version: number;
  lines: readonly SessionLine[];
  report: Report | null;
  view: ViewInfo | null;
  link: LinkState;
  traffic: TrafficModel;
  devices: DeviceModel;
  /** The latest device seen for the first time while the page is open. */
  newDevice: Device | null;
  error: string | null;
}

const NOTIFY_MS = 100;

export class LiveStore {
  private lines: SessionLine[] = [];
  private report: Report | null = null;
  private view: ViewInfo | null = null;
  private link: LinkState = 'connecting';
  private traffic = new TrafficModel();
  private devices = new DeviceModel();
  private newDevice: Device | null = null;
  private error: string | null = null;
  private version = 0;
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  private notifyTimer: number | null = null;
  private socket: WebSocket | null = null;
  private catchingUp = false;
  private highestSeen = -1;
  private closed = false;
  /** Lines at first load are a replay; devices in them are not "new". */
  private replayed = false;

  constructor() {
    this.snapshot = this.makeSnapshot();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  start(): void {
    this.connect();
  }

  stop(): void {
    this.closed = true;
    this.socket?.close();
  }

  dismissNewDevice(): void {
    this.newDevice = null;
    this.changed(true);
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(liveUrl(this.lines.length));
    this.socket = ws;
    ws.onmessage = (event) => this.onMessage(JSON.parse(String(event.data)) as LiveMessage);
    ws.onopen = () => {
      this.link = 'live';
      this.error = null;
      this.changed(true);
    };
    ws.onclose = () => {
      if (this.closed) return;
      this.link = 'reconnecting';
      this.changed(true);
      window.setTimeout(() => this.connect(), 1000);
    };
  }

  private onMessage(message: LiveMessage): void {
    switch (message.kind) {
      case 'hello':
        if (this.view && (this.view.file !== message.view.file || this.view.mode !== message.view.mode)) this.clear();
        this.view = message.view;
        // A file view is not streamed: its lines are fetched.
        if (message.view.mode === 'file') void this.catchUp();
        break;
      case 'reset':
        this.clear();
        this.view = message.view;
        void this.catchUp();
        break;
      case 'line':
        this.applyLine(message.index, message.line);
        break;
      case 'lines':
        message.lines.forEach((line, i) => this.applyLine(message.from + i, line));
        break;
      case 'verdicts':
        this.report = message.report;
        this.replayed = true;
        break;
      case 'error':
        this.error = message.error;
        break;
    }
    this.changed(message.kind !== 'line' && message.kind !== 'lines');
  }

  private clear(): void {
    this.lines = [];
    this.traffic = new TrafficModel();
    this.devices = new DeviceModel();
    this.report = null;
    this.highestSeen = -1;
    this.replayed = false;
  }

  private applyLine(index: number, line: SessionLine): void {
    this.highestSeen = Math.max(this.highestSeen, index);
    if (index < this.lines.length) return;
    if (index > this.lines.length) {
      void this.catchUp();
      return;
    }
    this.lines.push(line);
    this.traffic.add(line, index);
    const device = this.devices.add(line, this.replayed);
    if (device && device.fresh) this.newDevice = device;
  }

  /** Fetches lines missed (a gap, a reset, an opened file) from /api/events. */
  private async catchUp(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      do {
        const from = this.lines.length;
        const res = await api.get<EventsResponse>(`/api/events?since=${from}`);
        if (this.lines.length !== from) continue;
        if (res.lines.length === 0 && res.view.mode === this.view?.mode) {
          this.view = res.view;
          break;
        }
        res.lines.forEach((line, i) => this.applyLine(res.from + i, line));
        this.view = res.view;
        if (res.view.mode === 'file') this.report = await api.get<Report>('/api/verdicts');
        this.changed(true);
      } while (this.highestSeen >= this.lines.length);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.changed(true);
    } finally {
      this.catchingUp = false;
    }
  }

  private changed(now: boolean): void {
    this.version += 1;
    if (now) {
      if (this.notifyTimer !== null) window.clearTimeout(this.notifyTimer);
      this.notifyTimer = null;
      this.publish();
      return;
    }
    if (this.notifyTimer !== null) return;
    this.notifyTimer = window.setTimeout(() => {
      this.notifyTimer = null;
      this.publish();
    }, NOTIFY_MS);
  }

  private publish(): void {
    this.snapshot = this.makeSnapshot();
    for (const listener of this.listeners) listener();
  }

  private makeSnapshot(): Snapshot {
    return {
      version: this.version,
      lines: this.lines,
      report: this.report,
      view: this.view,
      link: this.link,
      traffic: this.traffic,
      devices: this.devices,
      newDevice: this.newDevice,
      error: this.error,
    };
  }
}
