// Main-process side of the preload's channels. Every call is checked: it must come from
// the top frame of a window showing the UI's origin, and its options are re-validated.
import { BrowserWindow, app, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import type { CHANNELS as PreloadChannels } from './preload.cjs';
import { isUiOrigin, parseOpenRequest, parseSaveRequest } from './dialog-options.js';

// Kept in step with the preload's CHANNELS by the type below (the sandboxed preload
// cannot import a shared module at run time).
export const CHANNELS: typeof PreloadChannels = {
  openFile: 'pinprobe:open-file',
  saveFile: 'pinprobe:save-file',
  menu: 'pinprobe:menu',
};

function checkSender(event: IpcMainInvokeEvent, uiOrigin: () => string | null): BrowserWindow {
  const frame = event.senderFrame;
  const win = BrowserWindow.fromWebContents(event.sender);
  if (!frame || frame.parent !== null || !win || !isUiOrigin(frame.url, uiOrigin())) {
    throw new Error('refused: not the Pinprobe UI');
  }
  return win;
}

let lastDir: string | null = null;

export function registerIpc(uiOrigin: () => string | null): void {
  ipcMain.handle(CHANNELS.openFile, async (event, raw: unknown) => {
    const win = checkSender(event, uiOrigin);
    const req = parseOpenRequest(raw);
    const result = await dialog.showOpenDialog(win, {
      title: req.title,
      filters: req.filters,
      properties: ['openFile'],
      ...(lastDir ? { defaultPath: lastDir } : {}),
    });
    const path = result.canceled ? null : (result.filePaths[0] ?? null);
    if (path) lastDir = join(path, '..');
    return path;
  });

  ipcMain.handle(CHANNELS.saveFile, async (event, raw: unknown) => {
    const win = checkSender(event, uiOrigin);
    const req = parseSaveRequest(raw);
    const result = await dialog.showSaveDialog(win, {
      title: req.title,
      filters: req.filters,
      defaultPath: join(lastDir ?? app.getPath('documents'), req.fileName),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    const path = result.canceled || !result.filePath ? null : result.filePath;
    if (path) lastDir = join(path, '..');
    return path;
  });
}
