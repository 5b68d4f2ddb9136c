// Entry point: take the token from the URL fragment, then render the app.
import { createRoot } from 'react-dom/client';
import { setToken } from './api/client';
import { takeToken } from './api/token';
import { App } from './app';
import { CrashScreen } from './components/crash-screen';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
const token = takeToken();
if (token) {
  setToken(token);
  root.render(
    <CrashScreen>
      <App />
    </CrashScreen>,
  );
} else {
  root.render(
    <main className="no-token">
      <h1>Pinprobe</h1>
      <p>This page needs the address Pinprobe printed when it started — it ends with <code>#token=…</code>.</p>
      <p>Run <code>pinprobe ui</code> (or <code>npm start</code>) and open the URL it prints.</p>
    </main>,
  );
}
