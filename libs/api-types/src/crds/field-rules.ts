import { DURATION_PATTERN, parseDuration } from '../duration.js';
import { RESERVED_ENV_NAMES, RESERVED_ENV_PREFIX } from '../runner-env.js';

/**
 * A validation rule of a string field, written once: the CEL expression the API server checks at
 * admission (it goes into the CRD) and its JavaScript twin, which validateSchema checks on request
 * (the runner on its input, the dashboard on its forms). Both are built from the same pattern so
 * they cannot drift apart.
 */
export interface FieldRule {
  /** CEL over `self` (the string), as it appears in the CRD's x-kubernetes-validations. */
  rule: string;
  /** Why a value is refused, completing "<field>: ". */
  message: string;
  /** The same rule in JavaScript. */
  test: (value: string) => boolean;
}

/** A CEL string literal holding `text` (backslashes and quotes escaped). */
export function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * RE2 (CEL's `matches`) and JavaScript read these patterns alike (no lookaround, no backreferences);
 * JavaScript's `\s` also matches Unicode spaces, so a twin is at most stricter than admission.
 */
const matches = (pattern: string) => ({
  cel: `self.matches(${celString(pattern)})`,
  test: (value: string) => new RegExp(pattern, 'u').test(value),
});

/** A git URL the runner clones: the schemes git supports except plain http, or scp-like user@host:path. */
export const REPOSITORY_URL_PATTERN = String.raw`^(https|ssh|git|file)://[^\s]+$`;
export const REPOSITORY_SCP_PATTERN = String.raw`^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$`;
/** Characters git refuses in ref names (and whitespace), so a revision can be neither an option nor a range. */
export const REVISION_PATTERN = String.raw`^[^\s~^:?*\[\\]*$`;
/** A ".." path segment. */
export const DOTDOT_SEGMENT_PATTERN = String.raw`(^|/)\.\.(/|$)`;
/** A C identifier, what a shell and the kubelet take as a variable name. */
export const C_IDENTIFIER_PATTERN = String.raw`^[A-Za-z_][A-Za-z0-9_]*$`;
/** An OpenTofu variable or output name (an HCL identifier). */
export const VARIABLE_NAME_PATTERN = String.raw`^[A-Za-z_][A-Za-z0-9_-]*$`;
/** The digest of a saved plan file: "sha256:" and 64 lowercase hex digits (what the operator records). */
export const PLAN_DIGEST_PATTERN = String.raw`^sha256:[0-9a-f]{64}$`;
/** A lowercase RFC 1123 subdomain, the name of most Kubernetes objects. */
export const RFC1123_SUBDOMAIN_PATTERN = String.raw`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`;

const url = matches(REPOSITORY_URL_PATTERN);
const scp = matches(REPOSITORY_SCP_PATTERN);
const revisionChars = matches(REVISION_PATTERN);
const dotdot = matches(DOTDOT_SEGMENT_PATTERN);
const cIdentifier = matches(C_IDENTIFIER_PATTERN);
const subdomain = matches(RFC1123_SUBDOMAIN_PATTERN);
const planDigest = matches(PLAN_DIGEST_PATTERN);
const variableName = matches(VARIABLE_NAME_PATTERN);
const durationForm = matches(DURATION_PATTERN);

/** A duration between min and max ("0" allowed when `off`), checked with CEL's duration() at admission. */
function durationRule(min: string, max: string, off: boolean): FieldRule {
  const range = `self != '' && ${durationForm.cel} && duration(self) >= duration('${min}') && duration(self) <= duration('${max}')`;
  const lo = parseDuration(min) ?? 0;
  const hi = parseDuration(max) ?? 0;
  return {
    rule: off ? `self == '0' || (${range})` : range,
    message: `must be a duration like "5m" or "1h30m" (h, m, s) between ${min} and ${max}${off ? ', or "0" for off' : ''}`,
    test: (v) => {
      const ms = parseDuration(v);
      if (ms === undefined) return false;
      return (off && v === '0') || (v !== '0' && ms >= lo && ms <= hi);
    },
  };
}
const reservedList = `[${RESERVED_ENV_NAMES.map(celString).join(', ')}]`;

/** The rules, by the field they guard. */
export const FieldRules = {
  repository: {
    rule: `${url.cel} || ${scp.cel}`,
    message: 'must be an https://, ssh://, git:// or file:// URL, or scp-like user@host:path, without spaces',
    test: (v) => url.test(v) || scp.test(v),
  },
  revision: {
    rule: `!self.startsWith('-') && !self.contains('..') && ${revisionChars.cel}`,
    message: 'must be a git branch, tag or commit: no whitespace, no leading "-", no "..", and none of ~ ^ : ? * [ \\',
    test: (v) => !v.startsWith('-') && !v.includes('..') && revisionChars.test(v),
  },
  workdirRelative: {
    rule: "!self.startsWith('/')",
    message: 'must be a relative path inside the repository',
    test: (v) => !v.startsWith('/'),
  },
  workdirNoDotDot: {
    rule: `!${dotdot.cel}`,
    message: 'must not contain ".." path segments',
    test: (v) => !dotdot.test(v),
  },
  envName: {
    rule: cIdentifier.cel,
    message: 'must be a C identifier (letters, digits, "_")',
    test: cIdentifier.test,
  },
  envNameNotReserved: {
    rule: `!self.startsWith(${celString(RESERVED_ENV_PREFIX)}) && !(self in ${reservedList})`,
    message: `is reserved for the operator (${RESERVED_ENV_NAMES.join(', ')} and every name starting with ${RESERVED_ENV_PREFIX})`,
    test: (v) => !v.startsWith(RESERVED_ENV_PREFIX) && !RESERVED_ENV_NAMES.includes(v),
  },
  objectName: {
    rule: subdomain.cel,
    message: 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-" and "."; starting and ending with a letter or digit)',
    test: subdomain.test,
  },
  variableName: {
    rule: variableName.cel,
    message: 'must be an OpenTofu identifier: a letter or "_", then letters, digits, "_" or "-"',
    test: variableName.test,
  },
  pollInterval: durationRule('10s', '24h', true),
  driftInterval: durationRule('1m', '720h', false),
  planDigest: {
    rule: planDigest.cel,
    message: 'must be "sha256:" followed by 64 lowercase hex digits (the status.plan.digest of the plan)',
    test: planDigest.test,
  },
} as const satisfies Record<string, FieldRule>;

const byRule = new Map<string, FieldRule>(Object.values(FieldRules).map((r) => [r.rule, r]));

/** The rule whose CEL is `cel`, if it has a JavaScript twin. */
export function fieldRuleFor(cel: string): FieldRule | undefined {
  return byRule.get(cel);
}

/** The CRD form of a rule (an x-kubernetes-validations entry). */
export function celValidation(rule: FieldRule): { rule: string; message: string } {
  return { rule: rule.rule, message: rule.message };
}
