import { celValidation, FieldRules } from './field-rules.js';

/**
 * A structural OpenAPI v3 schema as the Kubernetes API server accepts it in a CRD, restricted to the
 * parts this project uses. The CRD YAML files and the generated TypeScript types are both produced
 * from values of this type, so the two cannot drift.
 */
export interface JSONSchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps;
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  nullable?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }[];
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-embedded-resource'?: true;
  /** Not part of the CRD: names the generated TypeScript interface. Stripped from the YAML. */
  'x-ts-type'?: string;
}

/** A string property with a description. */
export function str(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'string', description, ...extra };
}

/** An integer property with a description. */
export function int(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'integer', format: 'int64', description, ...extra };
}

/** An object property. */
export function obj(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  extra: Partial<JSONSchemaProps> = {},
): JSONSchemaProps {
  return { type: 'object', description, properties, ...extra };
}

/** A map of strings (labels, annotations, node selectors). */
export function stringMap(description: string, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'object', description, additionalProperties: { type: 'string' }, ...extra };
}

/** An array property. */
export function arr(description: string, items: JSONSchemaProps, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return { type: 'array', description, items, ...extra };
}

/** A Kubernetes quantity ("500m", "1Gi"): int-or-string in the API, validated by the API server's own format. */
export function quantity(description: string): JSONSchemaProps {
  return {
    description,
    'x-kubernetes-int-or-string': true,
    'x-kubernetes-validations': [
      { rule: 'type(self) == int || isQuantity(self)', message: 'must be a Kubernetes quantity, e.g. "500m", "2" or "1Gi"' },
    ],
  };
}

/** A DNS-1123 subdomain name of another object (ConfigMap, Secret, ServiceAccount, module). */
export function objectName(description: string): JSONSchemaProps {
  return str(description, {
    minLength: 1,
    maxLength: 253,
    'x-kubernetes-validations': [celValidation(FieldRules.objectName)],
  });
}
