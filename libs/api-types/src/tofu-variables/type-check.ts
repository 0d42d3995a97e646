// OpenTofu type constraints (`string`, `list(object({ a = number, b = optional(bool) }))`, …) read
// from their source text, and a check of a JSON value against one with tofu's own conversions
// (a number or bool converts to string, "12" to number, "true" to bool; an object's extra attributes
// are dropped). Conservative: what it cannot read is `any`, so a valid value is never refused.

export type TofuType =
  | { kind: 'any' | 'string' | 'number' | 'bool' }
  | { kind: 'list' | 'set' | 'map'; of: TofuType }
  | { kind: 'object'; attrs: Record<string, { type: TofuType; optional: boolean }> }
  | { kind: 'tuple'; items: TofuType[] };

const ANY: TofuType = { kind: 'any' };

/** Splits `a = x, b = y(z, w)` at top-level commas (and newlines, which HCL also allows in objects). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') depth--;
    else if ((c === ',' || c === '\n') && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** The text between the outer pair of `open`/`close` of `text` (which starts with `open`), or undefined. */
function inner(text: string, open: string, close: string): string | undefined {
  const t = text.trim();
  return t.startsWith(open) && t.endsWith(close) ? t.slice(1, -1) : undefined;
}

/** Removes comments from a type expression (they may sit between object attributes). */
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//gu, '').replace(/(#|\/\/)[^\n]*/gu, '');

/** Reads a type constraint; anything unknown reads as `any`. */
export function parseType(source: string): TofuType {
  const text = stripComments(source).trim();
  if (text === 'string' || text === 'number' || text === 'bool' || text === 'any') return { kind: text };
  const call = /^([a-z]+)\s*\(([\s\S]*)\)$/u.exec(text);
  if (!call) return ANY;
  const [, fn, argsText = ''] = call;
  if (fn === 'list' || fn === 'set' || fn === 'map') return { kind: fn, of: parseType(argsText) };
  if (fn === 'tuple') {
    const items = inner(argsText, '[', ']');
    return items === undefined ? ANY : { kind: 'tuple', items: splitTop(items).map(parseType) };
  }
  if (fn === 'object') {
    const body = inner(argsText, '{', '}');
    if (body === undefined) return ANY;
    const attrs: Record<string, { type: TofuType; optional: boolean }> = {};
    for (const part of splitTop(body)) {
      const m = /^"?([A-Za-z_][A-Za-z0-9_-]*)"?\s*[=:]\s*([\s\S]+)$/u.exec(part);
      if (!m) return ANY;
      const expr = (m[2] as string).trim();
      const opt = /^optional\s*\(([\s\S]*)\)$/u.exec(expr);
      // optional(type) or optional(type, default): the type is the first argument.
      attrs[m[1] as string] = opt
        ? { type: parseType(splitTop(opt[1] as string)[0] ?? 'any'), optional: true }
        : { type: parseType(expr), optional: false };
    }
    return { kind: 'object', attrs };
  }
  return ANY;
}

const describe = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;

/**
 * Why `value` (a JSON value) does not convert to `type`, as problems naming the path (`path` is the
 * variable's name), or [] when it does. null is accepted (nullability is checked by the caller). A
 * wrong string is quoted only with `reveal` (never for values from Secrets).
 */
export function typeProblems(value: unknown, type: TofuType, path: string, reveal = false): string[] {
  if (value === null || type.kind === 'any') return [];
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? []
        : [`${path}: expected a string, got ${describe(value)}`];
    case 'number':
      if (typeof value === 'number') return [];
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return [];
      return [
        `${path}: expected a number, got ${typeof value === 'string' && reveal ? `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"` : describe(value)}`,
      ];
    case 'bool':
      if (typeof value === 'boolean' || value === 'true' || value === 'false') return [];
      return [`${path}: expected a bool, got ${describe(value)}`];
    case 'list':
    case 'set':
      if (!Array.isArray(value)) return [`${path}: expected a ${type.kind}, got ${describe(value)}`];
      return value.flatMap((v, i) => typeProblems(v, type.of, `${path}[${i}]`, reveal));
    case 'tuple':
      if (!Array.isArray(value)) return [`${path}: expected a tuple, got ${describe(value)}`];
      if (value.length !== type.items.length) return [`${path}: expected a tuple of ${type.items.length} elements, got ${value.length}`];
      return value.flatMap((v, i) => typeProblems(v, type.items[i] as TofuType, `${path}[${i}]`, reveal));
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected a map, got ${describe(value)}`];
      return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => typeProblems(v, type.of, `${path}.${k}`, reveal));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describe(value)}`];
      const obj = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const [name, attr] of Object.entries(type.attrs)) {
        if (!(name in obj)) {
          if (!attr.optional) problems.push(`${path}: attribute "${name}" is required`);
          continue;
        }
        problems.push(...typeProblems(obj[name], attr.type, `${path}.${name}`, reveal));
      }
      return problems;
    }
  }
}
