// A JSON body as a folding tree: objects and arrays open and close, and only open nodes
// render their children, so a multi-megabyte answer costs what is on screen. Long arrays
// and objects show their first PAGE members with a "Show more" button.
import { useState } from 'react';

const PAGE = 200;

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

function Primitive({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="json-number">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="json-bool">{String(value)}</span>;
  return <span className="json-null">null</span>;
}

function Key({ name }: { name: string | number | null }) {
  if (name === null) return null;
  return (
    <>
      <span className={typeof name === 'number' ? 'json-index' : 'json-key'}>{typeof name === 'number' ? name : JSON.stringify(name)}</span>
      <span className="json-punct">: </span>
    </>
  );
}

function Node({ name, value, depth, openDepth }: { name: string | number | null; value: unknown; depth: number; openDepth: number }) {
  const container = isContainer(value);
  const entries: Array<[string | number, unknown]> = !container ? [] : Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, setOpen] = useState(depth < openDepth && entries.length <= 1000);
  const [shown, setShown] = useState(PAGE);
  if (!container) {
    return (
      <div className="json-line" role="treeitem" aria-level={depth + 1} aria-selected={false}>
        <Key name={name} />
        <Primitive value={value} />
      </div>
    );
  }
  const isArray = Array.isArray(value);
  const [o, c] = isArray ? ['[', ']'] : ['{', '}'];
  const count = `${entries.length} ${isArray ? (entries.length === 1 ? 'item' : 'items') : entries.length === 1 ? 'key' : 'keys'}`;
  return (
    <div className="json-node" role="treeitem" aria-level={depth + 1} aria-expanded={entries.length ? open : undefined} aria-selected={false}>
      <div className="json-line">
        <button type="button" className="json-toggle" disabled={entries.length === 0} aria-label={`${open ? 'Fold' : 'Unfold'} ${name === null ? 'the body' : String(name)} (${count})`} onClick={() => setOpen((v) => !v)}>
          {entries.length === 0 ? ' ' : open ? '▾' : '▸'}
        </button>
        <Key name={name} />
        <span className="json-punct">{o}</span>
        {open ? null : (
          <>
            <span className="json-folded">{entries.length ? ' … ' : ''}</span>
            <span className="json-punct">{c}</span>
            <span className="json-count muted"> {count}</span>
          </>
        )}
      </div>
      {open ? (
        <div className="json-children" role="group">
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
          {entries.length > shown ? (
            <button type="button" className="link-button json-more" onClick={() => setShown((n) => n + PAGE)}>
              Show {Math.min(PAGE, entries.length - shown)} more of {entries.length - shown} left
            </button>
          ) : null}
          <div className="json-line">
            <span className="json-punct">{c}</span>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function JsonTree({ value, label }: { value: unknown; label: string }) {
  // Remounting with another openDepth is how "Unfold all" / "Fold all" reset every node.
  const [openDepth, setOpenDepth] = useState(2);
  return (
    <div className="json-tree-wrap">
      <div className="json-tools">
        <button type="button" className="link-button" onClick={() => setOpenDepth(64)}>
          Unfold all
        </button>
        <button type="button" className="link-button" onClick={() => setOpenDepth(1)}>
          Fold all
        </button>
      </div>
      <div className="code code-json json-tree" role="tree" aria-label={label} tabIndex={0} key={openDepth}>
        <Node name={null} value={value} depth={0} openDepth={openDepth} />
      </div>
    </div>
  );
}
