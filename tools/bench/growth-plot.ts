// A small SVG line chart for the benchmarks' growth figures (docs/benchmarks.md): one panel per
// measure, N on a logarithmic x axis, one line per series. No dependencies: the figure is plain SVG
// text a reviewer can read, written by the benchmark that measured it.

/** One measure to draw: its points (x = N) per series, e.g. { operator: [[100, 210], [1000, 390]] }. */
export interface Panel {
  title: string;
  unit: string;
  series: Record<string, [number, number][]>;
}

const W = 320;
const H = 236;
const PAD = { left: 56, right: 12, top: 44, bottom: 36 };
const COLOURS = ['#1f6feb', '#d4380d', '#389e0d', '#722ed1'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step for about five ticks between 0 and max. */
export function niceStep(max: number): number {
  if (!(max > 0)) return 1;
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

function fmt(v: number): string {
  if (v >= 1000 && v % 1000 === 0) return `${v / 1000}k`;
  return Number.isInteger(v) ? String(v) : v.toPrecision(3).replace(/\.?0+$/, '');
}

function panel(p: Panel, ox: number, xLabel: string): string {
  const pts = Object.values(p.series).flat();
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  const xmin = Math.log10(Math.min(...xs));
  const xmax = Math.max(Math.log10(Math.max(...xs)), xmin + 1);
  const step = niceStep(Math.max(...ys));
  const ymax = Math.ceil(Math.max(...ys) / step) * step || step;
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const X = (x: number) => ox + PAD.left + ((Math.log10(x) - xmin) / (xmax - xmin)) * iw;
  const Y = (y: number) => PAD.top + ih - (y / ymax) * ih;
  const out: string[] = [];
  out.push(`<text x="${ox + W / 2}" y="16" text-anchor="middle" font-weight="bold">${esc(p.title)} (${esc(p.unit)})</text>`);
  for (let y = 0; y <= ymax + step / 2; y += step) {
    out.push(`<line x1="${ox + PAD.left}" x2="${ox + W - PAD.right}" y1="${Y(y)}" y2="${Y(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${ox + PAD.left - 6}" y="${Y(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<line x1="${X(x)}" x2="${X(x)}" y1="${PAD.top}" y2="${PAD.top + ih}" stroke="#eee"/>`);
    out.push(`<text x="${X(x)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  out.push(`<text x="${ox + PAD.left + iw / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>`);
  Object.entries(p.series).forEach(([name, points], i) => {
    const c = COLOURS[i % COLOURS.length];
    const sorted = [...points].sort((a, b) => a[0] - b[0]);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${sorted.map(([x, y]) => `${X(x)},${Y(y)}`).join(' ')}"/>`);
    for (const [x, y] of sorted)
      out.push(
        `<circle cx="${X(x)}" cy="${Y(y)}" r="3" fill="${c}"><title>${esc(`${name}: N=${x}, ${fmt(y)} ${p.unit}`)}</title></circle>`,
      );
    // The legend sits between the title and the plot, one entry after another, never on a line.
    out.push(`<text x="${ox + PAD.left + i * 90}" y="32" fill="${c}">&#9632; ${esc(name)}</text>`);
  });
  return out.join('\n');
}

/** Splits text into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** An SVG with the panels side by side and the caption under them. */
export function growthSvg(panels: Panel[], caption: string, xLabel = 'N (log scale)'): string {
  const width = W * panels.length;
  const captionLines = wrap(caption, Math.floor(width / 6.2));
  const height = H + 10 + 14 * captionLines.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...panels.map((p, i) => panel(p, i * W, xLabel)),
    ...captionLines.map((l, i) => `<text x="8" y="${H + 20 + i * 14}" fill="#555">${esc(l)}</text>`),
    '</svg>',
    '',
  ].join('\n');
}

/** The median of the numbers that are not NaN (NaN when there are none). */
export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
