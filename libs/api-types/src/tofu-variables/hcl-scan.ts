// Reads the `variable` blocks of OpenTofu files (HCL native syntax) without a full HCL parser: a
// scanner that skips comments, strings, templates and heredocs, finds top-level
// `variable "name" { ... }` blocks and, inside them, the text of the `type` expression and whether
// `default` and `nullable` are set. Enough to know which variables a module declares and their type
// constraints before a run (issue 12); anything it cannot read leaves the variable unchecked.

/** One declared variable. */
export interface VariableDeclaration {
  name: string;
  /** The type constraint's source text (e.g. `list(object({ name = string }))`), if any. */
  type?: string;
  /** Whether the block sets a default (the variable is then optional). */
  hasDefault: boolean;
  /** `nullable = false` was given. */
  nonNullable: boolean;
}

/** Index just past a string starting at `i` (at the opening quote), honouring escapes and `${...}`. */
function skipString(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') j += 2;
    else if (c === '"') return j + 1;
    else if ((c === '$' || c === '%') && src[j + 1] === '{') j = skipBalanced(src, j + 1);
    else j++;
  }
  return j;
}

/** Index just past a heredoc starting at `i` (at `<<`), or undefined if it is not one. */
function skipHeredoc(src: string, i: number): number | undefined {
  const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n/u.exec(src.slice(i, i + 200));
  if (!m) return undefined;
  const marker = m[1];
  const lines = src.slice(i + m[0].length).split('\n');
  let offset = i + m[0].length;
  for (const line of lines) {
    offset += line.length + 1;
    if (line.trim() === marker) return offset;
  }
  return src.length;
}

/** Index just past a comment starting at `i`, or undefined if none starts there. */
function skipComment(src: string, i: number): number | undefined {
  if (src[i] === '#' || (src[i] === '/' && src[i + 1] === '/')) {
    const end = src.indexOf('\n', i);
    return end < 0 ? src.length : end + 1;
  }
  if (src[i] === '/' && src[i + 1] === '*') {
    const end = src.indexOf('*/', i + 2);
    return end < 0 ? src.length : end + 2;
  }
  return undefined;
}

const OPEN: Record<string, string> = { '{': '}', '(': ')', '[': ']' };

/** Index just past the bracketed group opening at `i` (`{`, `(` or `[`). */
export function skipBalanced(src: string, i: number): number {
  const stack: string[] = [];
  let j = i;
  while (j < src.length) {
    const c = src[j] as string;
    const comment = skipComment(src, j);
    if (comment !== undefined) {
      j = comment;
      continue;
    }
    if (c === '"') {
      j = skipString(src, j);
      continue;
    }
    if (c === '<' && src[j + 1] === '<') {
      const h = skipHeredoc(src, j);
      if (h !== undefined) {
        j = h;
        continue;
      }
    }
    if (OPEN[c]) stack.push(OPEN[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return j + 1;
    }
    j++;
  }
  return src.length;
}

/**
 * The attributes set directly in a block body (not in nested blocks), as name → expression text.
 * An expression ends at the end of its line unless brackets or a string keep it open.
 */
export function topLevelAttributes(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const comment = skipComment(body, i);
    if (comment !== undefined) {
      i = comment;
      continue;
    }
    const c = body[i] as string;
    if (c === '"') {
      i = skipString(body, i);
      continue;
    }
    if (OPEN[c]) {
      i = skipBalanced(body, i);
      continue;
    }
    const atTokenStart = i === 0 || !/[A-Za-z0-9_-]/u.test(body[i - 1] as string);
    const m = atTokenStart ? /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*(=(?!=)|\{|")/u.exec(body.slice(i)) : null;
    if (!m) {
      i++;
      continue;
    }
    if (m[2] !== '=') {
      // A nested block (validation { ... }, or a labelled one): skip it whole.
      const open = body.indexOf('{', i);
      i = open < 0 ? body.length : skipBalanced(body, open);
      continue;
    }
    let j = i + m[0].length;
    const start = j;
    while (j < body.length && body[j] !== '\n' && skipComment(body, j) === undefined) {
      const d = body[j] as string;
      if (d === '"') j = skipString(body, j);
      else if (OPEN[d]) j = skipBalanced(body, j);
      else if (d === '<' && body[j + 1] === '<') j = skipHeredoc(body, j) ?? j + 2;
      else j++;
    }
    out.set(m[1] as string, body.slice(start, j).trim());
    i = j;
  }
  return out;
}

/** The variable blocks of one .tf file's text. */
export function variableDeclarations(src: string): VariableDeclaration[] {
  const out: VariableDeclaration[] = [];
  let i = 0;
  while (i < src.length) {
    const comment = skipComment(src, i);
    if (comment !== undefined) {
      i = comment;
      continue;
    }
    const c = src[i] as string;
    if (c === '"') {
      i = skipString(src, i);
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      i = skipHeredoc(src, i) ?? i + 2;
      continue;
    }
    const atTokenStart = i === 0 || !/[A-Za-z0-9_-]/u.test(src[i - 1] as string);
    const m = atTokenStart ? /^variable\s+"([^"\\]+)"\s*\{/u.exec(src.slice(i)) : null;
    if (m) {
      const open = i + m[0].length - 1;
      const end = skipBalanced(src, open);
      const attrs = topLevelAttributes(src.slice(open + 1, end - 1));
      const type = attrs.get('type');
      out.push({
        name: m[1] as string,
        ...(type ? { type } : {}),
        hasDefault: attrs.has('default'),
        nonNullable: attrs.get('nullable') === 'false',
      });
      i = end;
      continue;
    }
    // Any other block or attribute at the top level: skip bracketed groups whole.
    if (OPEN[c]) i = skipBalanced(src, i);
    else i++;
  }
  return out;
}

/** The variable declarations of a .tf.json file's text (`{"variable": {"name": {"type": "..."}}}`). */
export function jsonVariableDeclarations(src: string): VariableDeclaration[] {
  let doc: unknown;
  try {
    doc = JSON.parse(src);
  } catch {
    return [];
  }
  const blocks = (doc as { variable?: unknown })?.variable;
  const list = Array.isArray(blocks) ? blocks : [blocks];
  const out: VariableDeclaration[] = [];
  for (const block of list) {
    if (!block || typeof block !== 'object') continue;
    for (const [name, raw] of Object.entries(block as Record<string, unknown>)) {
      const body = (Array.isArray(raw) ? raw[0] : raw) as Record<string, unknown> | undefined;
      const type = typeof body?.type === 'string' ? body.type : undefined;
      out.push({ name, ...(type ? { type } : {}), hasDefault: !!body && 'default' in body, nonNullable: body?.nullable === false });
    }
  }
  return out;
}
