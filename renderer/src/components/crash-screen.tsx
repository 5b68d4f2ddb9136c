// Last line of defence against data the views cannot draw (a hand-made or corrupted
// session file): instead of a blank page that every reload brings back, say what broke
// and offer the way back to the live session.
import { Component, type ReactNode } from 'react';
import { api } from '../api/client';

interface State {
  error: string | null;
}

export class CrashScreen extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(err: unknown): State {
    return { error: err instanceof Error ? err.message : String(err) };
  }

  private backToLive = async (): Promise<void> => {
    try {
      await api.post('/api/session/live');
    } finally {
      window.location.reload();
    }
  };

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <main className="no-token" role="alert">
        <h1>Pinprobe could not show this session</h1>
        <p>Some of its lines are not what Pinprobe records ({this.state.error}). A session file that was edited or damaged can do this.</p>
        <p>
          <button type="button" className="primary" onClick={() => void this.backToLive()}>
            Back to live session
          </button>{' '}
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </p>
      </main>
    );
  }
}
