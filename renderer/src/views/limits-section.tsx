// Controls → "Timeouts and connection limits": one field per entry of proxy/limit-fields.ts
// (the list the settings table builds its CLI options and API checks from), so a new limit
// appears here without UI changes. Empty means the default (timeouts) or automatic (limits).
import { useEffect, useId, useState } from 'react';
import { api } from '../api/client';
import type { EngineSettings, EngineStatus } from '../api/types';
import { useFieldError } from '../components/field-error';
import { SectionForm } from '../components/section-form';
import { limitHint, limitText, limitValue } from '../lib/limit-values';
import { LIMIT_FIELDS, type LimitField, type LimitFieldKey } from '../../../proxy/limit-fields';

type Texts = Record<LimitFieldKey, string>;

function textsOf(settings: EngineSettings): Texts {
  return Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, limitText(settings[f.key])])) as Texts;
}

function LimitInput({ field, value, onChange, autoNow }: { field: LimitField; value: string; onChange: (v: string) => void; autoNow: number | undefined }) {
  const id = useId();
  const hintId = useId();
  const err = useFieldError(field.key);
  const describedBy = [hintId, err.inputProps['aria-describedby']].filter(Boolean).join(' ');
  return (
    <div className={`field${err.message ? ' invalid' : ''}`} data-field={field.key}>
      <label htmlFor={id}>{field.label}</label>
      <input
        id={id}
        type="text"
        inputMode={field.unit === 'seconds' ? 'decimal' : 'numeric'}
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={field.default === null ? 'auto' : String(field.default)}
        title={field.help}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={err.inputProps['aria-invalid']}
        aria-describedby={describedBy}
      />
      <p id={hintId} className="hint">
        {limitHint(field, autoNow)} · <span className="mono nowrap">{field.flag}</span>
      </p>
      {err.note}
    </div>
  );
}

export function LimitsSection({ settings, status, origin, onSettings }: { settings: EngineSettings; status: EngineStatus | null; origin: string | null; onSettings: (s: EngineSettings) => void }) {
  const [texts, setTexts] = useState<Texts>(() => textsOf(settings));
  useEffect(() => setTexts(textsOf(settings)), [settings]);
  const apply = async () => {
    // Only the fields that changed: the others keep their origin (e.g. "from the command line").
    const all = LIMIT_FIELDS.map((f) => [f.key, limitValue(texts[f.key], f)] as const);
    const changed = all.filter(([k, v]) => v !== settings[k]);
    onSettings(await api.put<EngineSettings>('/api/settings', Object.fromEntries(changed.length > 0 ? changed : all)));
  };
  const limits = status?.connectionLimits;
  return (
    <SectionForm
      title="Timeouts and connection limits"
      description="Silent or stuck connections are closed after these; past the limits the oldest connection that sent nothing is closed first, from the busiest address."
      takesEffect="applies to new connections from now on; open ones keep the timeouts they started with"
      origin={origin}
      onApply={apply}
    >
      <div className="limit-grid">
        {LIMIT_FIELDS.map((f) => (
          <LimitInput key={f.key} field={f} value={texts[f.key]} onChange={(v) => setTexts((t) => ({ ...t, [f.key]: v }))} autoNow={f.unit === 'connections' ? limits?.[f.key as 'maxConnections' | 'maxConnectionsPerClient'] : undefined} />
        ))}
      </div>
    </SectionForm>
  );
}
