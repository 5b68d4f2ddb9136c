// Reading the engine's output: the UI URL line, and turning a failed start into a message
// a tester can act on. Pure (no Electron import).

/** SPEC: `pinprobe ui` prints the UI's URL, token included, on a line of its own. */
export const UI_URL_LINE = /^http:\/\/127\.0\.0\.1:\d+\/\S*$/;

/**
 * What `pinprobe ui` prints on stderr while a stop waits for a file the UI is still writing
 * (proxy/cli.ts, untilSignal): the app's stop then gives it more than the usual grace.
 */
export const WAITING_FOR_UI_WRITES = /waiting for (a file|\d+ files) the UI is writing/;

/** Splits a byte stream into lines; calls `onLine` for each complete line (no newline). */
export class LineSplitter {
  private pending = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += chunk.toString();
    let nl = this.pending.indexOf('\n');
    while (nl >= 0) {
      this.onLine(this.pending.slice(0, nl).replace(/\r$/, ''));
      this.pending = this.pending.slice(nl + 1);
      nl = this.pending.indexOf('\n');
    }
    // A line that never ends must not grow without bound.
    if (this.pending.length > 64 * 1024) this.pending = this.pending.slice(-64 * 1024);
  }
}

/** Keeps the last `max` characters written to it (the engine's stderr, for dialogs). */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 4000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.max);
  }
  toString(): string {
    return this.text.trim();
  }
}

export interface EngineFailure {
  /** why it failed: it exited, or it printed no URL in time */
  kind: 'exit' | 'timeout' | 'spawn';
  code?: number | null;
  stderr: string;
  proxyPort: number;
  timeoutMs?: number;
}

export interface FailureExplanation {
  title: string;
  message: string;
  detail: string;
  /** set when another proxy port is likely to help */
  suggestPort?: number;
}

/** Strips the token from anything that might echo the UI URL. */
export function redactToken(text: string): string {
  return text.replace(/([#?&]token=)[^\s&#]+/g, '$1…');
}

export function explainEngineFailure(f: EngineFailure): FailureExplanation {
  const stderr = redactToken(f.stderr).trim();
  const last = stderr.split('\n').filter((l) => l.trim() !== '').slice(-12).join('\n');
  const how = 'Start Pinprobe with another port, e.g. `npm start -- --port NNNN` (or `Pinprobe --port NNNN` for the installed app).';
  if (/EADDRINUSE|address already in use|already in use/i.test(stderr)) {
    const next = f.proxyPort >= 65535 ? 8081 : f.proxyPort + 1;
    return {
      title: 'Port in use',
      message: `Pinprobe could not listen on port ${f.proxyPort}: another program (or another Pinprobe) is already using it.`,
      detail: `Quit the program that uses port ${f.proxyPort}, or use another port (--port option).\n${how.replaceAll('NNNN', String(next))}\n\n${last}`,
      suggestPort: next,
    };
  }
  if (/EACCES|permission denied/i.test(stderr)) {
    return {
      title: 'Permission denied',
      message: `Pinprobe was not allowed to listen on port ${f.proxyPort}.`,
      detail: `Ports below 1024 need extra privileges; use a port above 1024 (--port option).\n${how.replaceAll('NNNN', '8080')}\n\n${last}`,
      suggestPort: 8080,
    };
  }
  if (/EADDRNOTAVAIL|address not available/i.test(stderr)) {
    return {
      title: 'Address not available',
      message: 'Pinprobe could not listen on the address given with --listen: it is not an address of this machine.',
      detail: `Use --listen 0.0.0.0 (all interfaces) or one of this machine's addresses.\n\n${last}`,
    };
  }
  if (f.kind === 'timeout') {
    return {
      title: 'Engine did not start',
      message: `Pinprobe's engine did not report its UI address within ${Math.round((f.timeoutMs ?? 0) / 1000)} seconds.`,
      detail: last || 'It printed nothing on stderr. Try `npx pinprobe ui` in a terminal to see what it does.',
    };
  }
  if (f.kind === 'spawn') {
    return {
      title: 'Engine did not start',
      message: "Pinprobe could not start its engine process.",
      detail: last || 'No further detail.',
    };
  }
  return {
    title: 'Engine stopped',
    message: `Pinprobe's engine exited${f.code === undefined || f.code === null ? '' : ` with code ${f.code}`} before the UI was ready.`,
    detail: last || 'It printed nothing on stderr. Try `npx pinprobe ui` in a terminal to see what it does.',
  };
}
