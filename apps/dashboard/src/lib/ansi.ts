/**
 * ANSI SGR ("select graphic rendition") escape codes of OpenTofu's coloured output, parsed into
 * styled text runs that React renders as spans: never HTML, so no log line can inject markup.
 */

/** Style of a run of text. Colours are palette names (0-15) or `#rrggbb`. */
export interface AnsiStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
}

export interface AnsiSegment {
  text: string;
  style: AnsiStyle;
}

const NAMES = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;

/** The name of palette colour n (0-15): "red", "bright-red", ... */
export function paletteName(n: number): string {
  return n < 8 ? NAMES[n]! : `bright-${NAMES[n - 8]!}`;
}

// CSI sequences (ESC [ params final-byte). Only `m` changes style; other sequences (cursor moves,
// erase) are dropped. OSC sequences (ESC ] ... BEL or ESC \) are dropped too.

const ESCAPES = /\u001b\[([0-9;:]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Splits one line into styled segments; `initial` carries style over from the previous line. */
export function parseAnsi(line: string, initial: AnsiStyle = {}): { segments: AnsiSegment[]; style: AnsiStyle } {
  const segments: AnsiSegment[] = [];
  let style: AnsiStyle = { ...initial };
  let last = 0;
  for (const m of line.matchAll(ESCAPES)) {
    const index = m.index;
    if (index > last) push(segments, line.slice(last, index), style);
    last = index + m[0].length;
    if (m[2] === 'm') style = applySgr(style, m[1] ?? '');
  }
  if (last < line.length) push(segments, line.slice(last), style);
  return { segments, style };
}

/** The text of a line without escape sequences (for search, copy and download). */
export function stripAnsi(line: string): string {
  return line.replace(ESCAPES, '');
}

function push(segments: AnsiSegment[], text: string, style: AnsiStyle): void {
  const prev = segments[segments.length - 1];
  if (prev && sameStyle(prev.style, style)) prev.text += text;
  else segments.push({ text, style: { ...style } });
}

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return (
    a.fg === b.fg && a.bg === b.bg && !a.bold === !b.bold && !a.dim === !b.dim && !a.italic === !b.italic && !a.underline === !b.underline
  );
}

/** Applies the parameters of one SGR sequence (`1;31`, `38;5;208`, `38;2;255;0;0`, `` = reset). */
export function applySgr(current: AnsiStyle, params: string): AnsiStyle {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let s: AnsiStyle = { ...current };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) s = {};
    else if (c === 1) s.bold = true;
    else if (c === 2) s.dim = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) {
      delete s.bold;
      delete s.dim;
    } else if (c === 23) delete s.italic;
    else if (c === 24) delete s.underline;
    else if (c >= 30 && c <= 37) s.fg = paletteName(c - 30);
    else if (c >= 90 && c <= 97) s.fg = paletteName(c - 90 + 8);
    else if (c === 39) delete s.fg;
    else if (c >= 40 && c <= 47) s.bg = paletteName(c - 40);
    else if (c >= 100 && c <= 107) s.bg = paletteName(c - 100 + 8);
    else if (c === 49) delete s.bg;
    else if (c === 38 || c === 48) {
      const key = c === 38 ? 'fg' : 'bg';
      const mode = codes[i + 1];
      if (mode === 5 && codes[i + 2] !== undefined) {
        s[key] = xterm256(codes[i + 2]!);
        i += 2;
      } else if (mode === 2 && codes[i + 4] !== undefined) {
        s[key] = hex(codes[i + 2]!, codes[i + 3]!, codes[i + 4]!);
        i += 4;
      } else break; // malformed: ignore the rest of this sequence
    }
  }
  return s;
}

function hex(r: number, g: number, b: number): string {
  const h = (n: number) => Math.max(0, Math.min(255, n)).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** The 256-colour palette: 16 named colours, a 6x6x6 cube, 24 greys. */
function xterm256(n: number): string {
  if (n < 16) return paletteName(n);
  if (n < 232) {
    const v = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    return hex(v[Math.floor(i / 36)]!, v[Math.floor(i / 6) % 6]!, v[i % 6]!);
  }
  const g = 8 + (n - 232) * 10;
  return hex(g, g, g);
}
