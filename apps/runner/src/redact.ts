/** What replaces a credential in anything the runner prints or reports. */
export const REDACTED = '***';

/** Secrets shorter than this are not searched for in text (they would mangle unrelated output). */
const MIN_SECRET_LENGTH = 4;

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

export type Redactor = (text: string) => string;

/** A function that removes the given secrets and URL credentials from a text. */
export function makeRedactor(secrets: Iterable<string>): Redactor {
  // Longest first, so a secret that contains another is replaced whole.
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of list) out = out.split(secret).join(REDACTED);
    return redactUrls(out);
  };
}
