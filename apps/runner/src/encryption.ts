// OpenTofu state and plan encryption (spec.stateEncryption): the TF_ENCRYPTION configuration the
// runner composes from the owner's passphrase.

/**
 * Names of the key provider and method. Encrypted data records them: renaming them would make every
 * state and plan encrypted so far unreadable, so they never change.
 */
export const KEY_PROVIDER = 'key_provider.pbkdf2.tofu_operator';
export const METHOD = 'method.aes_gcm.tofu_operator';

/**
 * A quoted HCL string holding `text` exactly: quotes, backslashes and control characters escaped,
 * and the template sequences `${` and `%{` doubled so they stay literal. Pure.
 */
export function hclString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    // A function, since "$$" in a replacement string would be one "$".
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

/**
 * OpenTofu's encryption configuration (the TF_ENCRYPTION syntax: the body of `terraform {
 * encryption {} }`): a pbkdf2 key from the passphrase, AES-GCM for state and plans, both enforced, so
 * tofu never writes either unencrypted. With `migrate`, the state may still be read unencrypted (a
 * state stored before encryption was turned on) and is written encrypted; OpenTofu forbids
 * `enforced` beside an unencrypted fallback, which is why it is off for that one run. Pure.
 */
export function encryptionConfig(passphrase: string, opts: { migrate?: boolean } = {}): string {
  const [, provider = '', providerName = ''] = KEY_PROVIDER.split('.');
  const [, method = '', methodName = ''] = METHOD.split('.');
  const lines = [
    `key_provider "${provider}" "${providerName}" {`,
    `  passphrase = ${hclString(passphrase)}`,
    '}',
    `method "${method}" "${methodName}" {`,
    `  keys = ${KEY_PROVIDER}`,
    '}',
  ];
  if (opts.migrate) lines.push('method "unencrypted" "migrate" {}');
  lines.push('state {', `  method = ${METHOD}`);
  lines.push(...(opts.migrate ? ['  fallback {', '    method = method.unencrypted.migrate', '  }'] : ['  enforced = true']));
  lines.push('}', 'plan {', `  method = ${METHOD}`, '  enforced = true', '}', '');
  return lines.join('\n');
}

/**
 * Whether a stored state is OpenTofu state JSON without encryption: a JSON object with no
 * `encrypted_data` (what an encrypted state has instead of its resources). Pure.
 */
export function isUnencryptedState(data: Uint8Array): boolean {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    // Not JSON at all: not a state tofu could read unencrypted either.
    return false;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('encrypted_data' in value);
}
