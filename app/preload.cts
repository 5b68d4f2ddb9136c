// Preload of the desktop window. The window is sandboxed, so this runs as a CommonJS
// script that may only require 'electron' (tsc emits dist/app/preload.cjs from this .cts).
// It exposes a narrow, fixed API as `window.pinprobe` — no generic IPC: each function
// maps to one channel, and main checks that the call comes from the UI's origin.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface OpenFileOptions {
  title?: string;
  filters?: FileFilter[];
}

export interface SaveFileOptions {
  title?: string;
  /** a suggested file name; main picks the directory */
  defaultPath?: string;
  filters?: FileFilter[];
}

/** `window.pinprobe` in the desktop app (absent when the UI runs in a browser). */
export interface PinprobeBridge {
  /** Shows an open dialog; resolves to the chosen path, or null when cancelled. */
  openFile(opts: OpenFileOptions): Promise<string | null>;
  /** Shows a save dialog; resolves to the chosen path, or null when cancelled. */
  saveFile(opts: SaveFileOptions): Promise<string | null>;
  /** Calls `cb` with the action name of each native menu click; returns an unsubscribe. */
  onMenu(cb: (action: string) => void): () => void;
  platform: string;
}

/** The channels; app/ipc.ts handles exactly these. */
export const CHANNELS = {
  openFile: 'pinprobe:open-file',
  saveFile: 'pinprobe:save-file',
  menu: 'pinprobe:menu',
} as const;

const bridge: PinprobeBridge = {
  openFile: (opts) => ipcRenderer.invoke(CHANNELS.openFile, opts) as Promise<string | null>,
  saveFile: (opts) => ipcRenderer.invoke(CHANNELS.saveFile, opts) as Promise<string | null>,
  onMenu(cb) {
    if (typeof cb !== 'function') throw new TypeError('onMenu expects a function');
    // The IPC event object never reaches the page: only the action string does.
    const listener = (_event: IpcRendererEvent, action: unknown): void => {
      if (typeof action === 'string') cb(action);
    };
    ipcRenderer.on(CHANNELS.menu, listener);
    return () => {
      ipcRenderer.removeListener(CHANNELS.menu, listener);
    };
  },
  platform: process.platform,
};

contextBridge.exposeInMainWorld('pinprobe', bridge);
