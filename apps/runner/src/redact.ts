import { hclString } from './encryption.js';

/** What replaces a credential in anything the runner prints or reports. */
export const REDACTED = '***';

/** Secrets shorter than this are not searched for in text (they would mangle unrelated output). */
export const MIN_SECRET_LENGTH = 4;

/** Encoded fragments shorter than this are not searched for (too likely to match unrelated base64 text). */
const MIN_FRAGMENT_LENGTH = 8;

/** scheme://userinfo@ in URLs, anywhere in a text. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]+)@/gi;

/**
 * Removes credentials from URLs in a text: the whole userinfo of http(s) URLs (a token may be the
 * user name), the password part of any other (ssh://git@host stays readable).
 */
export function redactUrls(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    if (/^https?:\/\/$/i.test(scheme)) return `${scheme}${REDACTED}@`;
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

/** The credentials written into a repository URL (the password, or an http(s) token user name; raw and decoded). */
export function urlSecrets(repository: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]+)@/i.exec(repository);
  if (!match?.[1]) return [];
  const userinfo = match[1];
  const colon = userinfo.indexOf(':');
  const isHttp = /^https?:/i.test(repository);
  // A lone http(s) user name is usually a token (https://<token>@host); beside a password it is a name.
  const parts = colon < 0 ? (isHttp ? [userinfo] : []) : [userinfo.slice(colon + 1)];
  const secrets = new Set<string>();
  for (const part of parts) {
    secrets.add(part);
    try {
      secrets.add(decodeURIComponent(part));
    } catch {
      // Not valid percent-encoding: the raw form is enough.
    }
  }
  return [...secrets];
}

/** The escaped forms of a text: inside a JSON string, and inside an HCL string as tofu prints it. */
function escapedForms(text: string): string[] {
  return [JSON.stringify(text).slice(1, -1), hclString(text).slice(1, -1)];
}

/** Standard and URL-safe base64 of some bytes, with and without padding. */
function base64Forms(data: Buffer): string[] {
  const std = data.toString('base64');
  const url = data.toString('base64url');
  return [std, std.replace(/=+$/, ''), url, `${url}${'='.repeat(std.length - url.length)}`];
}

/**
 * The base64 characters that encode only the value's own bits when it starts 0, 1 or 2 bytes into a
 * larger encoded blob (a kubeconfig, a JSON document): what stays the same whatever surrounds it.
 */
function shiftedBase64Fragments(data: Buffer): string[] {
  const fragments: string[] = [];
  for (const shift of [0, 1, 2]) {
    const std = Buffer.concat([Buffer.alloc(shift), data]).toString('base64');
    const bits = 8 * (shift + data.length);
    const fragment = std.slice(Math.ceil((8 * shift) / 6), Math.floor(bits / 6));
    if (fragment.length >= MIN_FRAGMENT_LENGTH) fragments.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return fragments;
}

/**
 * Every form of a secret value that the runner masks, the way CI systems mask secrets: the value,
 * its JSON-escaped and HCL-quoted forms (and those of its JSON form, as in a jsonencode()d string),
 * its base64 (standard and URL-safe, with and without padding, and the stable part of it inside a
 * larger base64 text), and each line of a multi-line value on its own (output goes line by line).
 * Pure.
 */
export function secretForms(value: string): string[] {
  if (value.length < MIN_SECRET_LENGTH) return [];
  const forms = new Set<string>([value]);
  for (const escaped of escapedForms(value)) {
    forms.add(escaped);
    for (const twice of escapedForms(escaped)) forms.add(twice);
  }
  const data = Buffer.from(value, 'utf8');
  for (const form of [...base64Forms(data), ...shiftedBase64Fragments(data)]) forms.add(form);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) for (const form of secretForms(trimmed)) forms.add(form);
    }
  }
  return [...forms];
}

/** How many of these values are too short to be masked reliably (for a warning that names no value). Pure. */
export function countUnmaskable(values: Iterable<string>): number {
  let count = 0;
  for (const value of values) if (value.length > 0 && value.length < MIN_SECRET_LENGTH) count++;
  return count;
}

export type Redactor = (text: string) => string;

/** A function that removes the given secrets (exactly as given) and URL credentials from a text. */
export function makeRedactor(secrets: Iterable<string>): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of list) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return redactUrls(out);
  };
}

/** A redactor that also masks every form (secretForms) of the given values. */
export function maskingRedactor(values: Iterable<string>): Redactor {
  return makeRedactor([...values].flatMap(secretForms));
}
