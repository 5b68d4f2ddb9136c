// What the Electron preload may expose as `window.pinprobe`. In a plain browser (from
// `pinprobe ui`) it is absent and the UI falls back to text fields.
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface PinprobeBridge {
  /** Shows an open-file dialog; resolves to the chosen path, or null when cancelled. */
  openFile?: (options?: { title?: string; filters?: FileFilter[] }) => Promise<string | null>;
  /** Shows a save dialog; resolves to the chosen path, or null when cancelled. */
  saveFile?: (options?: { title?: string; defaultPath?: string; filters?: FileFilter[] }) => Promise<string | null>;
  /** The control API token, when the shell hands it over instead of the URL fragment. */
  token?: string;
}

declare global {
  interface Window {
    pinprobe?: PinprobeBridge;
  }
}

export function bridge(): PinprobeBridge | undefined {
  return window.pinprobe;
}
