// The desktop app's native menu (app/menu-template.ts) sends action names through the
// preload's `onMenu`; each one is carried out here through the control API. In a browser
// there is no `window.pinprobe` and nothing subscribes.
import { useEffect, useRef } from 'react';
import type { StatusResponse } from './api/types';
import { bridge } from './bridge';
import { errorText } from './lib/format';
import { newSession, pickAndExport, pickAndOpenSession, pickAndSaveSession, type ActionResult } from './lib/file-actions';

/** What each action is called in the menu, for notices ("Export HAR failed: …"). */
export const MENU_ACTIONS = {
  'new-session': 'New session',
  'open-session': 'Open session',
  'save-session-as': 'Save session as',
  'export-har': 'Export HAR',
  'export-html': 'Export HTML report',
  'export-json': 'Export JSON report',
  'export-junit': 'Export JUnit report',
  'show-setup': 'Connect a device',
} as const;
export type MenuAction = keyof typeof MENU_ACTIONS;

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export interface MenuHandlers {
  showTab: (tab: 'hosts' | 'setup') => void;
  onStatus: (status: StatusResponse) => void;
  notify: (notice: Notice | null) => void;
}

function isMenuAction(v: string): v is MenuAction {
  return Object.prototype.hasOwnProperty.call(MENU_ACTIONS, v);
}

async function perform(action: MenuAction, h: MenuHandlers): Promise<ActionResult> {
  switch (action) {
    case 'new-session':
      return newSession();
    case 'open-session': {
      const res = await pickAndOpenSession();
      if (res) h.showTab('hosts');
      return res;
    }
    case 'save-session-as':
      return pickAndSaveSession();
    case 'export-har':
      return pickAndExport('har');
    case 'export-html':
      return pickAndExport('html');
    case 'export-json':
      return pickAndExport('json');
    case 'export-junit':
      return pickAndExport('junit');
    case 'show-setup':
      h.showTab('setup');
      return null;
  }
}

export async function runMenuAction(action: MenuAction, h: MenuHandlers): Promise<void> {
  try {
    const res = await perform(action, h);
    if (res?.status) h.onStatus(res.status);
    if (res) h.notify({ kind: 'ok', text: res.message });
  } catch (err) {
    h.notify({ kind: 'error', text: `${MENU_ACTIONS[action]} failed: ${errorText(err)}` });
  }
}

/** Subscribes once to the preload's menu channel; the latest handlers are always used. */
export function useMenuActions(handlers: MenuHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const subscribe = bridge()?.onMenu;
    if (typeof subscribe !== 'function') return;
    return subscribe((action) => {
      if (isMenuAction(action)) void runMenuAction(action, latest.current);
    });
  }, []);
}
