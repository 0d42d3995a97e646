/**
 * The read-only YAML of an object as the API returns it (the "YAML" card of object pages), without
 * metadata.managedFields (server-side apply bookkeeping nobody reads). A small emitter of JSON values
 * in block style: a string is written plain only when YAML reads it back as the same string, else
 * double-quoted with JSON's escapes (valid YAML). Pure.
 */

/** The object without metadata.managedFields; the input is not changed. */
export function withoutManagedFields<T>(obj: T): T {
  if (!obj || typeof obj !== 'object' || !('metadata' in obj)) return obj;
  const meta = (obj as { metadata?: unknown }).metadata;
  if (!meta || typeof meta !== 'object' || !('managedFields' in meta)) return obj;
  const { managedFields: _m, ...rest } = meta as Record<string, unknown>;
  return { ...obj, metadata: rest };
}

// Plain scalars YAML 1.1 or 1.2 would read as something else than a string.
const SPECIAL =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|\.nan|\.NaN|\.NAN|[-+]?\.(?:inf|Inf|INF))$/;
const NUMBER_LIKE =
  /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F_]+$|^0o[0-7_]+$|^[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
// Safe plain: starts with a letter, digit, slash or dot and holds no ": ", " #", control or quote characters.
const PLAIN = /^[A-Za-z0-9/._(][A-Za-z0-9 /._()@+,=*-]*$/;

/** A string as a YAML scalar. */
export function yamlString(s: string): string {
  const plain = s !== '' && PLAIN.test(s) && !SPECIAL.test(s) && !NUMBER_LIKE.test(s) && !s.endsWith(' ');
  return plain ? s : JSON.stringify(s);
}

const scalar = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return yamlString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (typeof v === 'object' && Object.keys(v).length === 0) return '{}';
  return undefined;
};

function lines(v: unknown, indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalar(item);
      if (s !== undefined) out.push(`${indent}- ${s}`);
      else {
        // The item's first line goes after the dash; the rest are indented under it.
        const inner: string[] = [];
        lines(item, `${indent}  `, inner);
        out.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
      }
    }
    return;
  }
  for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
    if (item === undefined) continue;
    const key = yamlString(k);
    const s = scalar(item);
    if (s !== undefined) out.push(`${indent}${key}: ${s}`);
    else {
      out.push(`${indent}${key}:`);
      lines(item, Array.isArray(item) ? indent : `${indent}  `, out);
    }
  }
}

/** `value` (a JSON value) as a YAML document, ending with a line break. */
export function toYaml(value: unknown): string {
  const s = scalar(value);
  if (s !== undefined) return `${s}\n`;
  const out: string[] = [];
  lines(value, '', out);
  return `${out.join('\n')}\n`;
}
