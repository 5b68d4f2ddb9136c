// The native menu, as data. Pure apart from Electron *types* (erased at compile time), so
// the structure is unit-tested without an Electron binary; app/main.ts builds the Menu.
import type { MenuItemConstructorOptions } from 'electron';

/**
 * Actions the menu sends to the renderer on the `pinprobe:menu` channel; the renderer
 * listens with `window.pinprobe.onMenu(action => …)` and does the work through the
 * control API (using `window.pinprobe.openFile/saveFile` for paths).
 */
export const MENU_ACTIONS = [
  'new-session',
  'open-session',
  'save-session-as',
  'export-har',
  'export-html',
  'export-json',
  'export-junit',
  'show-setup',
] as const;
export type MenuAction = (typeof MENU_ACTIONS)[number];

export interface MenuContext {
  isPackaged: boolean;
  platform: NodeJS.Platform;
  /** sends an action to the focused window's renderer */
  send(action: MenuAction): void;
  /** the project's documentation URL, when package.json names one */
  docsUrl: string | null;
  openExternal(url: string): void;
}

export function menuTemplate(ctx: MenuContext): MenuItemConstructorOptions[] {
  const isMac = ctx.platform === 'darwin';
  const act = (label: string, action: MenuAction, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => ctx.send(action),
  });

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      act('New Session', 'new-session', 'CmdOrCtrl+N'),
      act('Open Session…', 'open-session', 'CmdOrCtrl+O'),
      act('Save Session As…', 'save-session-as', 'CmdOrCtrl+Shift+S'),
      {
        label: 'Export',
        submenu: [
          act('HAR…', 'export-har', 'CmdOrCtrl+E'),
          act('HTML Report…', 'export-html'),
          act('JSON Report…', 'export-json'),
          act('JUnit Report…', 'export-junit'),
        ],
      },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit', label: 'Quit' },
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'reload' },
      ...(ctx.isPackaged ? [] : ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[])),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      act('Connect a Device…', 'show-setup'),
      {
        label: 'Pinprobe Documentation',
        enabled: ctx.docsUrl !== null,
        click: () => {
          if (ctx.docsUrl) ctx.openExternal(ctx.docsUrl);
        },
      },
    ],
  };

  return [
    ...(isMac ? ([{ role: 'appMenu' }] as MenuItemConstructorOptions[]) : []),
    file,
    { role: 'editMenu' }, // copy/paste shortcuts in text fields (macOS needs the menu for them)
    view,
    ...(isMac ? ([{ role: 'windowMenu' }] as MenuItemConstructorOptions[]) : []),
    help,
  ];
}
