/**
 * The narrowest a list table may get before its columns are cut: the sum of its columns' minimum
 * widths, the gaps between them and the row's padding. Below that the table scrolls sideways inside
 * its card (390 px phones) instead of cutting columns or pushing the page sideways. Pure.
 */

/** The minimum of one grid track: `8.5rem`, or the first argument of `minmax(12rem, 2fr)`. */
export function trackMinimum(track: string): string {
  const m = /^minmax\(\s*([^,]+?)\s*,/.exec(track.trim());
  const min = (m ? m[1]! : track).trim();
  // A flexible track (1fr, auto) has no minimum of its own.
  return /^[\d.]+(rem|px|em|ch)$/.test(min) ? min : '0px';
}

/** A CSS length for `min-width`: `calc(12rem + 8.5rem + 3 * 0.75rem + 2rem)` for the given tracks. */
export function tableMinWidth(tracks: readonly string[], gap = '0.75rem', padding = '2rem'): string {
  if (tracks.length === 0) return '0px';
  return `calc(${tracks.map(trackMinimum).join(' + ')} + ${tracks.length - 1} * ${gap} + ${padding})`;
}
