// Connect a device: the proxy address, a QR code of the onboarding page, CA downloads,
// and the Android / iOS steps, with a live note when a new device shows up.
import { useState } from 'react';
import type { EngineSettings, OnboardingInfo } from '../api/types';
import { api, downloadFile } from '../api/client';
import { ErrorNote } from '../components/error-note';
import { formatClock } from '../lib/format';
import { isLoopback, type DeviceModel, type Device } from '../model/devices';

export interface SetupViewProps {
  onboarding: OnboardingInfo | null;
  error: string | null;
  devices: DeviceModel;
  newDevice: Device | null;
  version: number;
  /** Engine settings (device trust lives there); null while loading or in a file view. */
  settings?: EngineSettings | null;
  onSettings?: (s: EngineSettings) => void;
}

interface TrustProps {
  settings: EngineSettings | null;
  onSettings: ((s: EngineSettings) => void) | undefined;
}

/**
 * "This device has Pinprobe's CA in its system store": evidence that a refusal from it is
 * the app's pin (SPEC "Pinning"). Each change is recorded as a device-trust session line and
 * the verdicts are judged again at once.
 */
function DeviceTrustToggle({ address, settings, onSettings }: TrustProps & { address: string }) {
  const [error, setError] = useState<string | null>(null);
  // Shown at once while the change is being applied (a controlled box would jump back).
  const [pending, setPending] = useState<boolean | null>(null);
  const declared = settings?.deviceTrustsCa ?? [];
  const checked = pending ?? declared.includes(address);
  const coveredBy = checked ? null : declared.find((d) => d.includes('/')) ?? null;
  const toggle = async (on: boolean) => {
    setError(null);
    setPending(on);
    const next = on ? [...declared, address] : declared.filter((d) => d !== address);
    try {
      const updated = await api.put<EngineSettings>('/api/settings', { deviceTrustsCa: next });
      onSettings?.(updated);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setPending(null);
    }
  };
  return (
    <label className="device-trust">
      <input type="checkbox" checked={checked} disabled={settings === null} onChange={(e) => void toggle(e.target.checked)} />{' '}
      this device has Pinprobe's CA in its system store
      {coveredBy ? <span className="muted"> (see also {coveredBy})</span> : null}
      {error ? <span className="text-warn"> — {error}</span> : null}
    </label>
  );
}

function Devices({ devices, newDevice, settings, onSettings }: { devices: DeviceModel; newDevice: Device | null } & TrustProps) {
  const list = [...devices.devices.values()];
  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Devices seen</h2>
      <div aria-live="polite">
        {newDevice ? (
          <p className="new-device">
            <span className="pulse" aria-hidden="true" /> New device <strong className="mono">{newDevice.address}</strong> — first request at {formatClock(newDevice.firstSeen)}
          </p>
        ) : null}
      </div>
      {list.length === 0 ? (
        <p className="muted">Waiting for the first request… Once the phone's proxy points here, its address shows up at once.</p>
      ) : (
        <ul className="devices">
          {list.map((d) => (
            <li key={d.address}>
              <span className="mono">{d.address}</span>
              {isLoopback(d.address) ? <span className="muted"> (this computer)</span> : null} · {d.connections} connection{d.connections === 1 ? '' : 's'} · since {formatClock(d.firstSeen)}
              <br />
              <DeviceTrustToggle address={d.address} settings={settings} onSettings={onSettings} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * `--listen 127.0.0.1`: nothing on the LAN can reach the proxy, so no LAN address and no
 * QR code (its URL would not open); say so and how to open it to a phone.
 */
function LoopbackOnly({ onboarding }: { onboarding: OnboardingInfo }) {
  const port = onboarding.proxyPort;
  return (
    <div className="loopback-only" role="note">
      <p className="text-warn">
        <strong>This computer only.</strong> The proxy listens on <span className="mono">{onboarding.listenAddress}</span>: a phone on Wi-Fi cannot reach it, so
        there is no address or QR code to scan here.
      </p>
      <ul className="steps">
        <li>
          Phone on Wi-Fi: restart Pinprobe with <code>--listen 0.0.0.0</code> (all networks) or <code>--listen</code> this computer's LAN address.
        </li>
        <li>
          Android over USB or an emulator: <code>adb reverse tcp:{port} tcp:{port}</code>, then set its proxy to <span className="mono">127.0.0.1:{port}</span>.
        </li>
        <li>
          On this computer: proxy <span className="mono">{onboarding.listenAddress}</span>; setup page <span className="mono">http://{onboarding.listenAddress}/</span>.
        </li>
      </ul>
    </div>
  );
}

export function SetupView({ onboarding, error, devices, newDevice, settings = null, onSettings }: SetupViewProps) {
  return (
    <div className="setup">
      <ErrorNote error={error} />
      <div className="setup-grid">
        <section className="card connect" aria-labelledby="connect-title">
          <h2 id="connect-title">1. Point the device at Pinprobe</h2>
          {onboarding?.loopbackOnly ? (
            <LoopbackOnly onboarding={onboarding} />
          ) : onboarding ? (
            <>
              <p>Set the phone's Wi-Fi proxy to <em>Manual</em> with one of these addresses (same network as this computer):</p>
              <ul className="addresses">
                {onboarding.proxyAddresses.length === 0 ? (
                  <li className="text-warn">No LAN address found — connect this computer to the phone's Wi-Fi network.</li>
                ) : (
                  onboarding.proxyAddresses.map((a) => (
                    <li key={a} className="mono address">
                      {a}
                    </li>
                  ))
                )}
              </ul>
              {!onboarding.running ? <p className="text-warn">The proxy is stopped: start it in Controls.</p> : null}
              <div className="qr-block">
                <img className="qr" src={onboarding.qr} width={208} height={208} alt={`QR code of ${onboarding.qrTarget}`} />
                <div>
                  <p>
                    <strong>2. Scan with the phone</strong> to open the setup page:
                  </p>
                  <p className="mono url">{onboarding.qrTarget}</p>
                  <p className="muted">
                    It offers the right certificate for the phone. Once the proxy is set, <span className="mono">{onboarding.reservedUrl}</span> works too.
                  </p>
                </div>
              </div>
            </>
          ) : (
            <p className="muted">Loading…</p>
          )}
        </section>

        <Devices devices={devices} newDevice={newDevice} settings={settings} onSettings={onSettings} />

        <section className="card" aria-labelledby="ca-title">
          <h2 id="ca-title">CA certificate</h2>
          {onboarding ? (
            <>
              <p className="muted">{onboarding.caSubject} — unique to this install; only the certificate is exported, never the key.</p>
              <ul className="downloads">
                {onboarding.downloads.map((d) => (
                  <li key={d.platform}>
                    <a
                      href={d.href}
                      download={d.fileName}
                      onClick={(e) => {
                        e.preventDefault();
                        void downloadFile(d.href, d.fileName);
                      }}
                    >
                      {d.label}
                    </a>{' '}
                    <span className="muted mono">{d.fileName}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>

        <section className="card" aria-labelledby="android-title">
          <h2 id="android-title">Android</h2>
          <ol className="steps">
            <li>
              Wi-Fi → the network → Edit → Proxy: <em>Manual</em>, host and port above. From a computer:{' '}
              {onboarding?.loopbackOnly ? (
                <>
                  <code>adb reverse tcp:{onboarding.proxyPort} tcp:{onboarding.proxyPort}</code> then{' '}
                  <code>adb shell settings put global http_proxy 127.0.0.1:{onboarding.proxyPort}</code> (USB; the proxy is loopback-only)
                </>
              ) : (
                <code>adb shell settings put global http_proxy {onboarding?.proxyAddresses[0] ?? 'HOST:PORT'}</code>
              )}{' '}
              — and afterwards clear it with{' '}
              <code>adb shell settings put global http_proxy :0</code>
            </li>
            <li>Install the .cer from the setup page: Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate.</li>
            <li>
              <strong>Pinning tests need the system store.</strong> Android 7+ apps ignore user-installed CAs unless their Network Security Config allows them — a user-CA
              rejection is not evidence of pinning. On an emulator or rooted device up to Android 13 remount <code>/system</code> and copy the hash-named file to{' '}
              <code>/system/etc/security/cacerts/</code>; on Android 14+ the store comes from a read-only APEX module, so copying into{' '}
              <code>/apex/com.android.conscrypt/cacerts</code> fails — mount a writable copy of that folder over it with the CA added (root; until reboot), see
              docs/device-setup.md. Or test a debug build that trusts user CAs. Then tick "this device has Pinprobe's CA in its system store" above.
            </li>
            <li>Some apps (Flutter, some games) ignore the system proxy: no traffic at all is not a pass.</li>
          </ol>
        </section>

        <section className="card" aria-labelledby="ios-title">
          <h2 id="ios-title">iPhone / iPad</h2>
          <ol className="steps">
            <li>Settings → Wi-Fi → ⓘ → Configure Proxy → Manual: server and port above.</li>
            <li>Open the setup page in Safari, download the profile, then install it: Settings → General → VPN &amp; Device Management.</li>
            <li>Enable full trust: Settings → General → About → Certificate Trust Settings → Pinprobe.</li>
          </ol>
        </section>
      </div>
    </div>
  );
}
