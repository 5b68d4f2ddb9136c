// A windowed list: only the rows in view (plus a few) are in the DOM, so 10,000 rows
// scroll as smoothly as 10. Fixed row height keeps the maths exact. Keyboard: arrows,
// Page Up/Down, Home/End move the selection; Enter selects the active row.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  getKey: (item: T) => string;
  renderRow: (item: T, index: number, selected: boolean) => ReactNode;
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  label: string;
  idPrefix: string;
  /** Keep the view pinned to the newest row while the user is at the bottom. */
  followTail?: boolean;
  empty?: ReactNode;
}

const OVERSCAN = 8;

export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, selectedIndex, onSelect, followTail } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);
  const atBottom = useRef(true);
  const frame = useRef<number | null>(null);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // New rows: stay at the bottom if the user was there.
  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el || !followTail || !atBottom.current) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [items.length, followTail]);

  const onScroll = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      const el = viewport.current;
      if (!el) return;
      atBottom.current = el.scrollTop + el.clientHeight >= el.scrollHeight - rowHeight;
      setScrollTop(el.scrollTop);
    });
  }, [rowHeight]);

  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  const scrollIntoView = useCallback(
    (index: number) => {
      const el = viewport.current;
      if (!el) return;
      const top = index * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
    },
    [rowHeight],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (items.length === 0) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const current = selectedIndex ?? -1;
    let next: number | null = null;
    switch (e.key) {
      case 'ArrowDown': next = Math.min(items.length - 1, current + 1); break;
      case 'ArrowUp': next = Math.max(0, current - 1); break;
      case 'PageDown': next = Math.min(items.length - 1, current + page); break;
      case 'PageUp': next = Math.max(0, current - page); break;
      case 'Home': next = 0; break;
      case 'End': next = items.length - 1; break;
      case 'Enter': case ' ': next = Math.max(0, current); break;
      default: return;
    }
    e.preventDefault();
    onSelect(next);
    scrollIntoView(next);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i] as T;
    const selected = i === selectedIndex;
    rows.push(
      <div
        key={props.getKey(item)}
        id={`${props.idPrefix}-${i}`}
        role="option"
        aria-selected={selected}
        aria-posinset={i + 1}
        aria-setsize={items.length}
        className={`vrow${selected ? ' selected' : ''}${i % 2 ? ' odd' : ''}`}
        style={{ transform: `translateY(${i * rowHeight}px)`, height: rowHeight }}
        onClick={() => onSelect(i)}
      >
        {props.renderRow(item, i, selected)}
      </div>,
    );
  }

  return (
    <div
      ref={viewport}
      className="vlist"
      role="listbox"
      aria-label={props.label}
      tabIndex={0}
      aria-activedescendant={selectedIndex !== null && selectedIndex < items.length ? `${props.idPrefix}-${selectedIndex}` : undefined}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      {items.length === 0 ? props.empty : <div className="vspacer" style={{ height: items.length * rowHeight }}>{rows}</div>}
    </div>
  );
}
