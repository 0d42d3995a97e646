import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crdDefinitions, stripTsHints, toCustomResourceDefinition } from './definitions.js';
import type { JSONSchemaProps } from './schema-helpers.js';

/** Visits every schema node with its path. */
function walk(schema: JSONSchemaProps, path: string, visit: (s: JSONSchemaProps, path: string) => void): void {
  visit(schema, path);
  for (const [k, v] of Object.entries(schema.properties ?? {})) walk(v, `${path}.${k}`, visit);
  if (schema.items) walk(schema.items, `${path}[]`, visit);
  if (schema.additionalProperties) walk(schema.additionalProperties, `${path}{}`, visit);
}

describe('CRD definitions', () => {
  for (const def of crdDefinitions) {
    it(`${def.kind}: every node is structural (typed, or int-or-string, or free-form object, or any JSON value)`, () => {
      for (const section of [def.spec, def.status].filter((s) => s !== undefined)) {
        walk(section, def.kind, (s, path) => {
          // An untyped node is allowed only as "any JSON value" (a variable or an output).
          assert.ok(s.type || s['x-kubernetes-int-or-string'] || s['x-kubernetes-preserve-unknown-fields'], `${path} has no type`);
          if (s.type === 'object' && !s.properties && !s.additionalProperties) {
            assert.ok(s['x-kubernetes-preserve-unknown-fields'], `${path} is an object without properties`);
          }
        });
      }
    });

    it(`${def.kind}: every validation rule has a message that names the problem`, () => {
      walk(def.spec, `${def.kind}.spec`, (s, path) => {
        for (const rule of s['x-kubernetes-validations'] ?? [])
          assert.ok(rule.message && rule.message.length > 10, `${path}: ${rule.rule}`);
      });
    });

    it(`${def.kind}: a status subresource exactly when it has a status, printer columns and no TypeScript hints`, () => {
      const crd = toCustomResourceDefinition(def) as {
        spec: { versions: { subresources: unknown; additionalPrinterColumns: unknown[]; schema: { openAPIV3Schema: unknown } }[] };
      };
      const version = crd.spec.versions[0];
      assert.deepEqual(version?.subresources, def.status ? { status: {} } : undefined);
      assert.ok((version?.additionalPrinterColumns.length ?? 0) >= 4);
      assert.ok(!JSON.stringify(version?.schema).includes('x-ts-type'));
    });
  }

  it('makes the execution spec immutable', () => {
    const exec = crdDefinitions.find((d) => d.kind === 'TofuExecution');
    assert.ok(exec?.rootValidations?.some((r) => r.rule === 'self.spec == oldSelf.spec'));
  });

  it('shows action, waiting approvals and the plan digest in kubectl get', () => {
    const columns = (kind: string) => crdDefinitions.find((d) => d.kind === kind)?.printerColumns ?? [];
    const exec = columns('TofuExecution');
    assert.equal(exec.find((c) => c.name === 'Action')?.jsonPath, '.spec.action');
    assert.equal(exec.find((c) => c.name === 'Awaiting Approval')?.jsonPath, '.status.conditions[?(@.type=="AwaitingApproval")].status');
    assert.deepEqual(
      exec.filter((c) => c.name === 'Digest').map((c) => [c.jsonPath, c.priority]),
      [['.status.plan.digest', 1]],
    );
    for (const owner of ['TofuModule', 'TofuStack']) {
      const waiting = columns(owner).find((c) => c.name === 'Awaiting Approval');
      assert.equal(waiting?.jsonPath, '.status.pendingPlan.name', owner);
      assert.equal(waiting?.priority, undefined, `${owner}: shown without -o wide`);
    }
  });

  it('stripTsHints removes hints at every depth and keeps the rest', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      'x-ts-type': 'A',
      properties: { b: { type: 'array', items: { type: 'object', 'x-ts-type': 'B', properties: { c: { type: 'string' } } } } },
    };
    assert.deepEqual(stripTsHints(s), {
      type: 'object',
      properties: { b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } } } } },
    });
  });
});
