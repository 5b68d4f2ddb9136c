// Inline CSS of the HTML report: one file a lead can forward, readable offline, light or
// dark following the reader's system.
export const REPORT_CSS = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #ffffff; --panel: #f4f6fa; --line: #d9dee8;
  --good: #17794a; --good-bg: #dcf3e6; --warn: #8a5a00; --warn-bg: #fff0cc; --bad: #a32020; --bad-bg: #fde0e0;
  --dim: #4d5566; --dim-bg: #e7eaf0; --info: #1f5fa8; --info-bg: #dde9fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b5; --bg: #14171d; --panel: #1c2029; --line: #323846;
  --good: #7fe0a8; --good-bg: #173a28; --warn: #ffd27a; --warn-bg: #3d3116; --bad: #ff9a9a; --bad-bg: #4a1f1f;
  --dim: #b8c0cf; --dim-bg: #2a303c; --info: #9cc4ff; --info-bg: #1c2d48; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.card b { display: block; font-size: 22px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.good { color: var(--good); background: var(--good-bg); } .warn { color: var(--warn); background: var(--warn-bg); }
.bad { color: var(--bad); background: var(--bad-bg); } .dim { color: var(--dim); background: var(--dim-bg); }
.info { color: var(--info); background: var(--info-bg); }
.strip .badge { margin-right: 2px; min-width: 34px; text-align: center; }
section.host { border-top: 2px solid var(--line); margin-top: 28px; }
ul.untested li, ul.findings li { margin: 4px 0; }
.note { background: var(--panel); border-left: 4px solid var(--line); padding: 8px 12px; margin: 8px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
`;
