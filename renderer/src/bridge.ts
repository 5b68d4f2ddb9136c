// What the Electron preload exposes as `window.pinprobe` (see app/preload.cts). In a plain
// browser (from `pinprobe ui`) it is absent and the UI falls back to text fields and
// download links.
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface PinprobeBridge {
  /** Shows an open-file dialog; resolves to the chosen path, or null when cancelled. */
  openFile?: (options?: { title?: string; filters?: FileFilter[] }) => Promise<string | null>;
  /** Shows a save dialog (it asks before replacing a file); resolves to the path, or null. */
  saveFile?: (options?: { title?: string; defaultPath?: string; filters?: FileFilter[] }) => Promise<string | null>;
  /** Calls `cb` with each native menu action; returns an unsubscribe. */
  onMenu?: (cb: (action: string) => void) => () => void;
  platform?: string;
}

declare global {
  interface Window {
    pinprobe?: PinprobeBridge;
  }
}

export function bridge(): PinprobeBridge | undefined {
  return window.pinprobe;
}
