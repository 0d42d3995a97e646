'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { parseAnsi, stripAnsi, type AnsiSegment, type AnsiStyle } from '../lib/ansi.ts';
import type { ExecutionLog } from '../hooks/execution-log.ts';
import { AnsiLine } from './ansi-line.tsx';
import { countOf } from '../lib/owner-state.ts';

/** Parses lines as they are appended (only the new ones), carrying styles across line ends. */
function useParsedLines(lines: string[]): AnsiSegment[][] {
  const cache = useRef<{ parsed: AnsiSegment[][]; style: AnsiStyle; source: string[] }>({ parsed: [], style: {}, source: [] });
  return useMemo(() => {
    const c = cache.current;
    // A new array that does not extend the old one (another execution): start over.
    if (lines.length < c.parsed.length || (c.parsed.length > 0 && lines[c.parsed.length - 1] !== c.source[c.parsed.length - 1])) {
      c.parsed = [];
      c.style = {};
    }
    const parsed = c.parsed.slice();
    let style = c.style;
    for (let i = parsed.length; i < lines.length; i++) {
      const r = parseAnsi(lines[i]!, style);
      parsed.push(r.segments);
      style = r.style;
    }
    cache.current = { parsed, style, source: lines };
    return parsed;
  }, [lines]);
}

const STATE_TEXT: Record<ExecutionLog['state'], string> = {
  connecting: 'Connecting to the log…',
  waiting: 'Waiting for the runner to start…',
  streaming: 'Streaming',
  ended: 'Complete',
  unavailable: 'Log unavailable',
};

/**
 * The log of a run: ANSI colours, follows the end while the user is at the bottom (scrolling up
 * stops it, scrolling back down resumes), search with highlight and jump, copy and download.
 */
export function LogViewer({ log, fileName }: { log: ExecutionLog; fileName: string }) {
  const parsed = useParsedLines(log.lines);
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(0);
  const [copied, setCopied] = useState(false);

  const hits = useMemo(() => {
    if (!query) return [];
    const q = query.toLowerCase();
    const out: number[] = [];
    log.lines.forEach((l, i) => {
      if (stripAnsi(l).toLowerCase().includes(q)) out.push(i);
    });
    return out;
  }, [log.lines, query]);

  useEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [parsed, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    setFollow(el.scrollTop + el.clientHeight >= el.scrollHeight - 8);
  };

  const jump = (dir: 1 | -1) => {
    if (!hits.length) return;
    const next = (current + dir + hits.length) % hits.length;
    setCurrent(next);
    setFollow(false);
    box.current?.querySelector(`[data-seq="${hits[next]}"]`)?.scrollIntoView({ block: 'center' });
  };

  const text = () => log.lines.map(stripAnsi).join('\n') + (log.lines.length ? '\n' : '');
  const copy = async () => {
    await navigator.clipboard.writeText(text());
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([text()], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = fileName;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <section className="log" aria-label="Log">
      <div className="log-toolbar">
        <span
          className={`log-state log-state-${log.state}`}
          data-testid="log-state"
          data-state={log.state}
          role="status"
          aria-live="polite"
        >
          {STATE_TEXT[log.state]}
          {log.message ? `: ${log.message}` : ''}
          {log.transport === 'http' ? ' (over HTTP)' : ''}
        </span>
        <span className="log-count">{countOf(log.lines.length, 'line')}</span>
        <span className="spacer" />
        <label className="log-search">
          <span className="visually-hidden">Search the log</span>
          <input
            type="search"
            placeholder="Search log"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(-1);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                jump(e.shiftKey ? -1 : 1);
              }
            }}
          />
        </label>
        {query && (
          <span className="log-hits" aria-live="polite">
            {hits.length ? `${Math.max(current, 0) + 1}/${hits.length}` : 'no match'}
          </span>
        )}
        <button type="button" className="btn btn-small" onClick={() => jump(-1)} disabled={!hits.length} aria-label="Previous match">
          ↑
        </button>
        <button type="button" className="btn btn-small" onClick={() => jump(1)} disabled={!hits.length} aria-label="Next match">
          ↓
        </button>
        <button type="button" className="btn btn-small" onClick={() => void copy()} disabled={!log.lines.length}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-small" onClick={download} disabled={!log.lines.length}>
          Download
        </button>
        {!follow && (
          <button
            type="button"
            className="btn btn-small btn-primary"
            onClick={() => {
              setFollow(true);
            }}
          >
            Follow ↓
          </button>
        )}
      </div>
      <div className="log-body" ref={box} onScroll={onScroll} tabIndex={0} data-testid="log" role="log" aria-label="Execution log">
        {parsed.length === 0 ? (
          <div className="log-empty">{log.state === 'ended' ? 'The log is empty.' : STATE_TEXT[log.state]}</div>
        ) : (
          parsed.map((segs, i) => <AnsiLine key={i} n={i} segments={segs} query={query} />)
        )}
      </div>
    </section>
  );
}
