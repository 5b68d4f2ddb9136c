// The UI window and the rules every web contents lives by: no navigation away from the
// UI's origin, no new windows (http(s) links go to the system browser), no webviews, and
// every permission request denied.
import { BrowserWindow, app, session, shell, type WebContents } from 'electron';
import { isExternalWebUrl, isUiOrigin } from './dialog-options.js';

export interface WindowOptions {
  preload: string;
  icon?: string;
}

export function createUiWindow(opts: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1320,
    height: 860,
    minWidth: 900,
    minHeight: 560,
    title: 'Pinprobe',
    show: false,
    backgroundColor: '#1b1f27',
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

/** Installs the navigation rules on every web contents the app ever creates. */
export function lockDownWebContents(uiOrigin: () => string | null): void {
  const guard = (contents: WebContents): void => {
    const refuse = (event: { preventDefault(): void }, url: string): void => {
      if (isUiOrigin(url, uiOrigin())) return;
      event.preventDefault();
      if (isExternalWebUrl(url)) void shell.openExternal(url);
    };
    contents.on('will-navigate', (event) => refuse(event, event.url));
    contents.on('will-frame-navigate', (event) => {
      if (event.isMainFrame) return; // handled by will-navigate
      if (!isUiOrigin(event.url, uiOrigin()) && event.url !== 'about:blank') event.preventDefault();
    });
    contents.on('will-redirect', (event) => {
      if (event.isMainFrame && !isUiOrigin(event.url, uiOrigin())) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalWebUrl(url) && !isUiOrigin(url, uiOrigin())) void shell.openExternal(url);
      return { action: 'deny' };
    });
  };
  app.on('web-contents-created', (_event, contents) => guard(contents));
}

/**
 * No camera, notifications, geolocation, clipboard reading, …: the UI needs none. The one
 * exception is writing text to the clipboard ("copy as curl"), and only for the UI itself.
 */
export async function lockDownSession(uiOrigin: () => string | null): Promise<void> {
  const ses = session.defaultSession;
  const allowed = (permission: string, origin: string | undefined): boolean =>
    permission === 'clipboard-sanitized-write' && isUiOrigin(origin, uiOrigin());
  ses.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(allowed(permission, details.requestingUrl ?? wc.getURL())),
  );
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowed(permission, requestingOrigin));
  ses.setDevicePermissionHandler(() => false);
  // The UI is on loopback: never send it through a system proxy (which may be Pinprobe).
  await ses.setProxy({ mode: 'direct' });
}
