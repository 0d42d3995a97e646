import { memo } from 'react';
import type { AnsiSegment } from '../lib/ansi.ts';

function styleOf(s: AnsiSegment['style']): React.CSSProperties | undefined {
  const css: React.CSSProperties = {};
  if (s.fg) css.color = s.fg.startsWith('#') ? s.fg : `var(--ansi-${s.fg})`;
  if (s.bg) css.backgroundColor = s.bg.startsWith('#') ? s.bg : `var(--ansi-${s.bg})`;
  if (s.bold) css.fontWeight = 700;
  if (s.dim) css.opacity = 0.7;
  if (s.italic) css.fontStyle = 'italic';
  if (s.underline) css.textDecoration = 'underline';
  return Object.keys(css).length ? css : undefined;
}

/** Highlights `query` (case-insensitive) inside plain text. */
function highlight(text: string, query: string): React.ReactNode {
  if (!query) return text;
  const out: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let i = 0;
  for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) {
    if (at > i) out.push(text.slice(i, at));
    out.push(<mark key={at}>{text.slice(at, at + q.length)}</mark>);
    i = at + q.length;
  }
  if (i < text.length) out.push(text.slice(i));
  return out;
}

/** One log line as styled text runs (React text nodes: nothing in a log is ever parsed as HTML). */
export const AnsiLine = memo(function AnsiLine({ n, segments, query }: { n: number; segments: AnsiSegment[]; query: string }) {
  return (
    <div className="log-line" data-seq={n}>
      <span className="log-n" aria-hidden="true">
        {n + 1}
      </span>
      <span className="log-text">
        {segments.map((s, i) => (
          <span key={i} style={styleOf(s.style)}>
            {highlight(s.text, query)}
          </span>
        ))}
      </span>
    </div>
  );
});
