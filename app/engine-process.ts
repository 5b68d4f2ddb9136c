// Runs the engine (`pinprobe ui`) in an Electron utility process, so proxy load never
// blocks the window's main thread, and waits for the UI URL it prints.
import { utilityProcess, type UtilityProcess } from 'electron';
import { LineSplitter, TailBuffer, UI_URL_LINE, WAITING_FOR_UI_WRITES, redactToken, type EngineFailure } from './engine-output.js';

export interface EngineReady {
  /** the UI URL, token included */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
}

export class EngineStartError extends Error {
  constructor(readonly failure: EngineFailure) {
    super(`engine failed to start (${failure.kind})`);
  }
}

export interface EngineOptions {
  /** the script to run: the package's bin/pinprobe.js */
  entry: string;
  args: string[];
  proxyPort: number;
  timeoutMs: number;
  /** called when the engine exits after it was ready, unless we asked it to stop */
  onUnexpectedExit(code: number, stderr: string): void;
}

export class EngineProcess {
  private child: UtilityProcess | null = null;
  private stopping = false;
  private exited: Promise<number> | null = null;
  private readonly stderr = new TailBuffer(8000);
  /** Set once a stop's engine said it is finishing a file the UI is writing (an export). */
  private finishingUiWrites = false;

  constructor(private readonly opts: EngineOptions) {}

  start(): Promise<EngineReady> {
    const { entry, args, timeoutMs, proxyPort } = this.opts;
    return new Promise<EngineReady>((resolve, reject) => {
      let ready = false;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const fail = (failure: Omit<EngineFailure, 'stderr' | 'proxyPort'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new EngineStartError({ ...failure, stderr: this.stderr.toString(), proxyPort }));
      };

      let child: UtilityProcess;
      try {
        child = utilityProcess.fork(entry, args, {
          stdio: ['ignore', 'pipe', 'pipe'],
          serviceName: 'Pinprobe engine',
        });
      } catch (err) {
        this.stderr.push(String(err));
        fail({ kind: 'spawn' });
        return;
      }
      this.child = child;

      timer = setTimeout(() => {
        fail({ kind: 'timeout', timeoutMs });
        void this.stop();
      }, timeoutMs);

      const lines = new LineSplitter((line) => {
        if (!ready && UI_URL_LINE.test(line.trim())) {
          ready = true;
          settled = true;
          clearTimeout(timer);
          const url = line.trim();
          resolve({ url, origin: new URL(url).origin });
          console.log('[engine] UI ready at', redactToken(url));
          return;
        }
        console.log('[engine]', redactToken(line));
      });
      // Both pipes are always drained, so a chatty engine never blocks on a full pipe.
      child.stdout?.on('data', (chunk: Buffer) => lines.push(chunk));
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr.push(chunk);
        if (this.stopping && WAITING_FOR_UI_WRITES.test(this.stderr.toString())) this.finishingUiWrites = true;
        process.stderr.write(redactToken(chunk.toString()));
      });

      this.exited = new Promise<number>((resolveExit) => {
        child.once('exit', (code) => {
          this.child = null;
          resolveExit(code);
          if (!ready) fail({ kind: 'exit', code });
          else if (!this.stopping) this.opts.onUnexpectedExit(code, this.stderr.toString());
        });
      });
    });
  }

  get running(): boolean {
    return this.child !== null;
  }

  /**
   * Asks the engine to stop (SIGTERM on POSIX: it finishes writing the session and
   * exits); resolves once it has exited, or after `graceMs`.
   */
  async stop(graceMs = 5000, uiWritesMs = 65_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    child.kill();
    await this.exitedWithin(graceMs);
    // An export or Save as to a slow disk is still being written (the engine said so, and
    // waits up to 60 s for it): quitting now would cut the file.
    if (this.child && this.finishingUiWrites) await this.exitedWithin(uiWritesMs);
  }

  private async exitedWithin(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exited,
      new Promise<void>((r) => {
        timer = setTimeout(r, ms);
      }),
    ]);
    clearTimeout(timer);
  }
}
