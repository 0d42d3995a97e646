// What git's stderr says when a server refuses us, shared by the runner (clone and fetch) and the
// operator (the source poll's ls-remote). git runs with LC_ALL=C in both, so the messages are
// English: ssh's and git-over-https's own words.

/** ssh refused the server's host key: not in known_hosts, or not the key listed there. */
const HOST_KEY_PATTERNS = [
  /Host key verification failed/i,
  /No \S+ host key is known for/i,
  /REMOTE HOST IDENTIFICATION HAS CHANGED/i,
  /Host key for .* has changed/i,
];

/** The server refused the credentials, or wanted some and none could be given. */
const AUTH_PATTERNS = [
  /Permission denied \((?:publickey|password|keyboard-interactive|gssapi)/i,
  /Authentication failed for/i,
  /The requested URL returned error: 40[13]\b/i,
  /could not read (?:Username|Password) for/i,
  /Load key .*: (?:invalid format|error in libcrypto)/i,
  /terminal prompts disabled/i,
];

/** Whether ssh refused the server's host key (checked before authentication, so test this first). */
export function refusedHostKey(stderr: string): boolean {
  return HOST_KEY_PATTERNS.some((p) => p.test(stderr));
}

/** Whether the git server refused the credentials (or asked for some). */
export function refusedCredentials(stderr: string): boolean {
  return AUTH_PATTERNS.some((p) => p.test(stderr));
}
