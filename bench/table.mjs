// The benchmark's printed table: one column per proxy, Pinprobe's ratios against no proxy
// and each peer, then issue 10's targets with the measured value and pass/fail.
import { KINDS } from './lib.mjs';

const get = (o, path) => path.split('.').reduce((x, k) => (x === null || x === undefined ? undefined : x[k]), o);

const ROWS = [
  ['keep-alive req/s (20 conns)', 'keepAlive.rps', 'higher'],
  ['proxy CPU µs/req (keep-alive)', 'keepAlive.cpuUsPerReq', 'lower'],
  ['h2 keep-alive req/s (4 conns × 16 streams)', 'h2.rps', 'higher'],
  ['proxy CPU µs/req (h2 keep-alive)', 'h2.cpuUsPerReq', 'lower'],
  ['p50 ms (1 conn)', 'latency.p50ms', 'lower'],
  ['p99 ms (1 conn)', 'latency.p99ms', 'lower'],
  ['new CONNECT+TLS req/s (4 at once)', 'newConnections.rps', 'higher'],
  ['new CONNECT+TLS p50 ms', 'newConnections.p50ms', 'lower'],
  ['proxy CPU µs per new connection', 'newConnections.cpuUsPerReq', 'lower'],
  ['10 MiB download MB/s', 'download.MBps', 'higher'],
  ['10 MiB download MB/s, warm (5 after the 8 at once)', 'download.warmMBps', 'higher'],
  ['8×10 MiB at once MB/s', 'download.parallelMBps', 'higher'],
  ['peak RSS MiB, 8×10 MiB', 'download.peakRssMiB', 'lower'],
  ['50 new hosts: first handshake ms', 'burst.firstMs', 'lower'],
  ['50 new hosts: median handshake ms', 'burst.medianMs', 'lower'],
  ['50 new hosts: last handshake ms', 'burst.lastMs', 'lower'],
  ['50 new hosts: slowest probe answer ms', 'burst.probeMaxMs', 'lower'],
  ['50 new hosts: longest loop stall ms', 'burst.loopStallMs', 'lower'],
  ['issuer alone, 50 new hosts: first leaf ms', 'issuerBurst.firstLeafMs', 'lower'],
  ['issuer alone, 50 new hosts: last leaf ms', 'issuerBurst.lastLeafMs', 'lower'],
  ['issuer alone, 50 new hosts: longest stall ms', 'issuerBurst.longestStallMs', 'lower'],
  ['start to listening ms', 'startMs', 'lower'],
  ['idle RSS MiB after the phases', 'idleRssMiB', 'lower'],
];

const fmt = (v) => (v === undefined || v === null ? '–' : typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(+v.toFixed(2))) : String(v));
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b !== 0 ? `${(a / b).toFixed(2)}×` : '–');

export function printTable(report) {
  const r = report.results;
  const cols = Object.keys(KINDS).filter((k) => r[k]);
  const head = ['', ...cols.map((k) => KINDS[k]), 'Pinprobe / none', 'Pinprobe / mitmproxy', 'Pinprobe / mockttp'];
  const rows = ROWS.map(([label, path]) => [
    label,
    ...cols.map((k) => fmt(get(r[k], path))),
    ratio(get(r.pinprobe, path), get(r.none, path)),
    ratio(get(r.pinprobe, path), get(r.mitmdump, path)),
    ratio(get(r.pinprobe, path), get(r.mockttp, path)),
  ]);
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(`\nPinprobe benchmark ${report.date}${report.quick ? ' (--quick)' : ''}, ${report.seconds} s — ${report.machine.cpus}, Node ${report.machine.node}, load ${report.machine.loadavg.split(' ').slice(0, 3).join(' ')} before / ${report.loadavgAfter.split(' ').slice(0, 3).join(' ')} after`);
  console.log(line(head));
  console.log(line(head.map(() => '---')));
  for (const row of rows) console.log(line(row));
  if (r.paired) {
    const q = r.paired;
    console.log(`\nPaired 1 s windows ×${q.rounds} (Pinprobe; keep-alive, 20 conns): recording on ${q.recordingOn.rps} req/s, ${q.recordingOn.cpuUsPerReq} µs/req; recording off ${q.recordingOff.rps} req/s, ${q.recordingOff.cpuUsPerReq} µs/req; UI connected ${q.uiConnected.rps} req/s, ${q.uiConnected.cpuUsPerReq} µs/req (${q.uiConnected.liveMessages} live messages)`);
    const ww = q.warmWindowRps;
    if (ww) console.log(`Untimed warm-up window first (fresh processes): recording on ${ww.pinprobe} req/s, off ${ww['pinprobe-norec']}, UI connected ${ww['pinprobe-ui']} — recording's cost there ${(100 * (1 - ww.pinprobe / ww['pinprobe-norec'])).toFixed(1)}% (informative)`);
    if (q.recordingCostPerRound?.length > 1) {
      // The median too: a neighbour's burst on a shared host lands in one process's window and
      // swings that round either way; the rounds together still decide the target.
      const sorted = [...q.recordingCostPerRound].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
      console.log(`Recording's cost round by round: ${q.recordingCostPerRound.map((c) => `${(c * 100).toFixed(1)}%`).join(', ')}; median ${(median * 100).toFixed(1)}% (the target is judged on the rounds together)`);
    }
  }
  const ls = r.pinprobe?.longSession;
  if (ls) {
    const marks = Object.entries(ls.rssMiB).map(([n, v]) => `${Number(n).toLocaleString('en-US')}: ${v}`).join(', ');
    console.log(`\nLong session (Pinprobe, recording on): ${ls.requests.toLocaleString('en-US')} requests, RSS MiB after ${marks}; end ${ls.endRssMiB}; ${ls.cpuUsPerReq} µs CPU/req; \`pinprobe report\` on its ${ls.lines.toLocaleString('en-US')}-line, ${ls.sessionFileMiB} MiB file: ${ls.reportSeconds} s (${ls.reportCpuSeconds ?? '?'} s CPU; exit ${ls.reportExit})`);
  }
  console.log('\nTargets (issue 10):');
  for (const t of report.targets) console.log(`  ${t.ok === null ? '?   ' : t.ok ? 'ok  ' : 'MISS'} ${t.name}: ${t.value}`);
}

/** Issue 10's targets, each with the measured value and whether it holds (null: not measured). */
export function targets(r) {
  const p = r.pinprobe ?? {};
  const out = [];
  const add = (name, value, ok) => out.push({ name, value: value ?? 'not measured', ok: value === undefined || value === null || Number.isNaN(ok) ? null : ok });
  const v = (x) => (typeof x === 'number' ? x : null);
  const cpu = v(p.keepAlive?.cpuUsPerReq);
  add('proxy CPU ≤ 200 µs per keep-alive request', cpu, cpu !== null && cpu <= 200);
  const vsMock = v(p.keepAlive?.rps) && v(r.mockttp?.keepAlive?.rps) ? p.keepAlive.rps / r.mockttp.keepAlive.rps : null;
  add('keep-alive req/s ≥ 1.5× mockttp', vsMock && +vsMock.toFixed(2), vsMock >= 1.5);
  const vsMitm = v(p.keepAlive?.rps) && v(r.mitmdump?.keepAlive?.rps) ? p.keepAlive.rps / r.mitmdump.keepAlive.rps : null;
  add('keep-alive req/s ≥ 5× mitmproxy', vsMitm && +vsMitm.toFixed(2), vsMitm >= 5);
  const added = v(p.latency?.p50ms) !== null && v(r.none?.latency?.p50ms) !== null ? +(p.latency.p50ms - r.none.latency.p50ms).toFixed(3) : null;
  add('p50 added over no proxy ≤ 0.4 ms', added, added <= 0.4);
  const dl = v(p.download?.MBps) && v(r.none?.download?.MBps) ? +(p.download.MBps / r.none.download.MBps).toFixed(2) : null;
  add('10 MiB downloads ≥ 0.7× no proxy', dl, dl >= 0.7);
  const peak = v(p.download?.peakRssMiB);
  add('peak RSS ≤ 100 MiB (8×10 MiB)', peak, peak <= 100);
  const ls = p.longSession;
  if (ls) {
    const marks = Object.keys(ls.rssMiB).map(Number).sort((a, b) => a - b);
    const first = ls.rssMiB[marks[0]];
    add(`RSS at end ≤ RSS after ${marks[0].toLocaleString('en-US')} + 15 MiB`, `${first} → ${ls.endRssMiB} MiB (+${(ls.endRssMiB - first).toFixed(1)})`, ls.endRssMiB <= first + 15);
    add(`RSS after ${ls.requests.toLocaleString('en-US')} requests ≤ 150 MiB`, ls.endRssMiB, ls.endRssMiB <= 150);
    add('`pinprobe report` on that session ≤ 5 s', `${ls.reportSeconds} s (${ls.reportCpuSeconds ?? '?'} s CPU)`, ls.reportSeconds <= 5 && ls.reportExit !== 2);
  } else add('long session', null, null);
  // Paired windows when measured (fair under a changing load), else the separate phases.
  const pr = r.paired;
  const ui = v(pr?.uiConnected?.cpuUsPerReq ?? r['pinprobe-ui']?.keepAlive?.cpuUsPerReq);
  const headless = v(pr?.recordingOn?.cpuUsPerReq ?? cpu);
  const uiRatio = ui && headless ? +(ui / headless).toFixed(2) : null;
  add(`UI connected: CPU/request ≤ 1.2× headless${pr ? ' (paired windows)' : ''}`, uiRatio === null ? null : `${uiRatio} (${ui} vs ${headless} µs)`, uiRatio <= 1.2);
  add('start to listening ≤ 300 ms (existing CA)', v(p.startMs), p.startMs <= 300);
  const stall = v(p.burst?.loopStallMs);
  add('50 new hosts through the proxy: no event-loop stall over 20 ms (includes 50 TLS handshakes)', stall, stall <= 20);
  const issuerStall = v(p.issuerBurst?.longestStallMs);
  add('50 new hosts, issuer alone: no stall over 20 ms', issuerStall, issuerStall <= 20);
  const first = v(p.issuerBurst?.firstLeafMs);
  add('50 new hosts: first leaf ≤ 3 ms (issuer alone)', first, first <= 3);
  const firstAdded = v(p.burst?.firstMs) !== null && v(r.none?.burst?.firstMs) !== null ? +(p.burst.firstMs - r.none.burst.firstMs).toFixed(1) : null;
  add('50 new hosts through the proxy: first handshake, added over no proxy (informative, ≤ 3 ms)', firstAdded, firstAdded <= 3);
  const norec = v(pr?.recordingOff?.rps ?? r['pinprobe-norec']?.keepAlive?.rps);
  const rec = v(pr?.recordingOn?.rps ?? p.keepAlive?.rps);
  const cost = norec && rec ? +(1 - rec / norec).toFixed(3) : null;
  add(`recording costs ≤ 15% of throughput${pr ? ' (paired windows)' : ''}`, cost === null ? null : `${(cost * 100).toFixed(1)}% (${rec} vs ${norec} req/s)`, cost <= 0.15);
  return out;
}
