/**
 * Environment variables of a runner template that look like secrets: a literal `value` under such a
 * name is masked on the Spec card and the form suggests a Secret reference instead. Pure.
 */

/** Word parts of a name that mark it as holding a secret. */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'PWD',
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'KEY',
  'KEYS',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
]);

/** The name's word parts, upper case: `_`, `-`, `.` and camelCase split them (`dbPassword` → DB, PASSWORD). */
export function wordParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toUpperCase());
}

/** True when one of the name's word parts is a secret word (`DB_PASSWORD`, `apiToken`; not `MONKEY`, `TOKENIZER`). */
export function looksSecret(name: string): boolean {
  return wordParts(name).some((w) => SECRET_WORDS.has(w));
}

interface EnvLike {
  name: string;
  value?: string | undefined;
  valueFrom?:
    | {
        secretKeyRef?: { name?: string | undefined; key: string } | undefined;
        configMapKeyRef?: { name?: string | undefined; key: string } | undefined;
      }
    | undefined;
}

/** How an env entry is shown: a literal (masked when secret-looking) or where its value comes from, never a referenced value. */
export type EnvShown =
  | { name: string; kind: 'literal'; value: string }
  | { name: string; kind: 'masked'; value: string }
  | { name: string; kind: 'ref'; text: string };

export function envShown(e: EnvLike): EnvShown {
  const from = e.valueFrom;
  if (from?.secretKeyRef)
    return { name: e.name, kind: 'ref', text: `from Secret ${from.secretKeyRef.name ?? ''}/${from.secretKeyRef.key}` };
  if (from?.configMapKeyRef)
    return { name: e.name, kind: 'ref', text: `from ConfigMap ${from.configMapKeyRef.name ?? ''}/${from.configMapKeyRef.key}` };
  if (from) return { name: e.name, kind: 'ref', text: 'from the pod' };
  const value = e.value ?? '';
  return looksSecret(e.name) && value ? { name: e.name, kind: 'masked', value } : { name: e.name, kind: 'literal', value };
}

/** The secret-looking names among literal entries (the form's warning), in their order. */
export function secretLiterals(env: readonly EnvLike[]): string[] {
  return env.filter((e) => !e.valueFrom && e.value && looksSecret(e.name)).map((e) => e.name);
}

/** An env variable the form switched from a literal to a Secret's key (`valueFrom.secretKeyRef`). */
export interface SecretEnvRef {
  name: string;
  secret: string;
  key: string;
}

/** The `NAME=value` text without the line(s) of `name` (the literal is dropped, not kept anywhere). */
export function removeEnvLine(text: string, name: string): string {
  return text
    .split('\n')
    .filter((l) => l.slice(0, l.indexOf('=') < 0 ? l.length : l.indexOf('=')).trim() !== name)
    .join('\n');
}

/** The first problem of the switched variables (a Secret or key not chosen), naming the variable. */
export function secretRefsProblem(refs: readonly SecretEnvRef[]): string | undefined {
  const bad = refs.find((r) => !r.secret.trim() || !r.key.trim());
  return bad && `"${bad.name}": choose the Secret and its key`;
}

/** The env list with the switched variables as Secret references (replacing entries of the same name). */
export function withSecretRefs<E extends { name: string }>(
  env: readonly E[] | undefined,
  refs: readonly SecretEnvRef[],
): (E | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } })[] {
  const names = new Set(refs.map((r) => r.name));
  return [
    ...(env ?? []).filter((e) => !names.has(e.name)),
    ...refs.map((r) => ({ name: r.name, valueFrom: { secretKeyRef: { name: r.secret.trim(), key: r.key.trim() } } })),
  ];
}
