// The five certificate scenarios of one host as a strip of cells. Each cell says its
// result in words to assistive tech ("self-signed: rejected") and shows a symbol.
import type { HostVerdict, ScenarioVerdict } from '../api/types';
import { SCENARIO_LIST } from '../api/types';

const SHORT: Record<(typeof SCENARIO_LIST)[number], string> = {
  trusted: 'T',
  'self-signed': 'S',
  'wrong-host': 'W',
  expired: 'E',
  'untrusted-root': 'U',
};

const SYMBOL: Record<ScenarioVerdict['result'], string> = { accepted: '✓', rejected: '✗', inconclusive: '?', untested: '·' };

/** For the trusted scenario, accepting is expected; for the others it is the failure. */
function tone(scenario: string, result: ScenarioVerdict['result']): string {
  if (result === 'untested') return 'untested';
  if (result === 'inconclusive') return 'inconclusive';
  if (scenario === 'trusted') return result === 'accepted' ? 'neutral' : 'expected';
  return result === 'rejected' ? 'expected' : 'failed';
}

export function ScenarioStrip({ client }: { client: HostVerdict['client'] }) {
  return (
    <ul className="strip" aria-label="Certificate scenarios">
      {SCENARIO_LIST.map((s) => {
        const v = client[s];
        const label = `${s}: ${v.result}${v.stage ? ` (${v.stage === 'handshake' ? 'in handshake' : 'after handshake'})` : ''}`;
        return (
          <li key={s} className={`cell cell-${tone(s, v.result)}`} aria-label={label} title={label}>
            <span className="cell-letter" aria-hidden="true">{SHORT[s]}</span>
            <span className="cell-symbol" aria-hidden="true">{SYMBOL[v.result]}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function StripLegend() {
  return (
    <p className="legend" aria-hidden="true">
      T trusted · S self-signed · W wrong-host · E expired · U untrusted-root — ✓ accepted ✗ rejected ? inconclusive · untested
    </p>
  );
}
