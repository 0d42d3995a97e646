// The plan diff the runner uploads holds resource attributes and outputs as tofu planned them: a
// value that came from a Secret is there unless the module marked it sensitive. This masks it.
import { SENSITIVE_MASK, type PlanDiff } from '@tofu-operator/api-types';
import type { Redactor } from './redact.js';

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of a diff entry that hold planned values (masked leaf by leaf); every other string is redacted in place. */
const VALUE_FIELDS = new Set(['before', 'after']);

/** Whether a text holds a secret (or URL credentials). */
const holdsSecret = (redact: Redactor, text: string): boolean => redact(text) !== text;

/**
 * A planned value with every leaf that equals or contains a secret replaced by SENSITIVE_MASK (how
 * the dashboard shows a sensitive value), and secrets in object keys redacted. Pure.
 */
export function maskValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return holdsSecret(redact, value) ? SENSITIVE_MASK : value;
  // Booleans are never masked: a secret "true" would hide every flag and reveal nothing.
  if (typeof value === 'number') return holdsSecret(redact, String(value)) ? SENSITIVE_MASK : value;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, redact));
  if (isRecord(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[redact(k)] = maskValue(v, redact);
    return out;
  }
  return value;
}

/** One entry (a resource, an attribute, an output): values masked, other texts redacted, `sensitive` set when a whole value was masked. */
function maskEntry(entry: unknown, redact: Redactor): unknown {
  if (typeof entry === 'string') return redact(entry);
  if (Array.isArray(entry)) return entry.map((e) => maskEntry(e, redact));
  if (!isRecord(entry)) return entry;
  const out: Json = {};
  for (const [k, v] of Object.entries(entry)) {
    if (VALUE_FIELDS.has(k)) {
      const masked = maskValue(v, redact);
      if (masked === SENSITIVE_MASK && v !== SENSITIVE_MASK) out.sensitive = true;
      out[k] = masked;
    } else {
      out[redact(k)] = maskEntry(v, redact);
    }
  }
  return out;
}

/**
 * The diff with every secret the redactor knows masked: in planned values (before, after) a leaf
 * that equals or contains one becomes SENSITIVE_MASK (and the attribute or output is marked
 * sensitive when its whole value was one); addresses, names and keys are redacted in place. Pure.
 */
export function maskPlanDiff(diff: PlanDiff, redact: Redactor): PlanDiff {
  return maskEntry(diff, redact) as PlanDiff;
}
