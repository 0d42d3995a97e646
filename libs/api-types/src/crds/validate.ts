import { fieldRuleFor } from './field-rules.js';
import type { JSONSchemaProps } from './schema-helpers.js';

/** One way a value does not match its schema, with the path of the field. */
export interface SchemaViolation {
  path: string;
  message: string;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** What validateSchema checks besides the structure. */
export interface ValidateOptions {
  /**
   * Also check the CEL rules of string fields that have a JavaScript twin (see FieldRules), as a
   * client does before it sends a request. Off for stored objects: a rule added later must not
   * turn an object the operator runs today into an invalid one.
   */
  rules?: boolean;
}

/**
 * Checks a value against the structural part of its CRD schema (types, required fields, enums,
 * bounds, lengths, patterns) and, with `rules`, the CEL rules known in JavaScript. The API server
 * checks the same at admission; this finds objects stored before a stricter schema, so the operator
 * can report them (reason InvalidSpec) instead of acting on them, and lets clients show the
 * admission's answer before a request.
 */
export function validateSchema(value: unknown, schema: JSONSchemaProps, path: string, options: ValidateOptions = {}): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const at = (message: string) => out.push({ path, message });
  if (value === undefined) return out;
  if (value === null) {
    if (!schema.nullable) at('must not be null');
    return out;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || Number.isInteger(value))) at('must be an integer or a string');
    return out;
  }
  const actual = typeOf(value);
  const expected = schema.type;
  if (expected && !(actual === expected || (expected === 'number' && actual === 'integer'))) {
    at(`must be ${expected === 'integer' || expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected}, got ${actual}`);
    return out;
  }
  if (schema.enum && !schema.enum.includes(value as string | number))
    at(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) at(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) at(`must be at most ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) at(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) at(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) at(`must match ${schema.pattern}`);
    if (options.rules)
      for (const v of schema['x-kubernetes-validations'] ?? []) {
        const rule = fieldRuleFor(v.rule);
        if (rule && !rule.test(value)) at(v.message ?? rule.message);
      }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) at(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) at(`must have at most ${schema.maxItems} items`);
    if (schema.items) for (const [i, item] of value.entries()) out.push(...validateSchema(item, schema.items, `${path}[${i}]`, options));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (obj[key] === undefined) out.push({ path: `${path}.${key}`, message: 'is required' });
    if (schema.maxProperties !== undefined && Object.keys(obj).length > schema.maxProperties)
      at(`must have at most ${schema.maxProperties} entries`);
    for (const [key, v] of Object.entries(obj)) {
      const prop = schema.properties?.[key] ?? schema.additionalProperties;
      if (prop) out.push(...validateSchema(v, prop, `${path}.${key}`, options));
    }
  }
  return out;
}
