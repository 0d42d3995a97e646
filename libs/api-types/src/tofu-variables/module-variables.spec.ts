import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { declaredVariables, variableProblems } from './module-variables.js';
import { variableDeclarations } from './hcl-scan.js';
import { parseType, typeProblems } from './type-check.js';

const MAIN_TF = `
# A comment with variable "not_me" { }
terraform {
  required_version = ">= 1.6"
}

/* variable "commented" {} */
variable "region" {
  type        = string
  description = "Where { it } goes; variable \\"fake\\" {"
}

variable "replicas" {
  type    = number
  default = 2
  validation {
    condition     = var.replicas > 0
    error_message = "type = bool must not be read from here"
  }
}

variable "tags" {
  type = map(string)
  default = {
    team = "platform"
  }
}

variable "servers" {
  type = list(object({
    name = string
    size = optional(number, 1)
    # a comment inside the type
    public = optional(bool)
  }))
}

variable "pair" { type = tuple([string, number]) }

variable "untyped" {}

variable "strict" {
  type     = string
  nullable = false
}

locals {
  text = <<-EOT
    variable "in_heredoc" {
      type = number
    }
  EOT
}

resource "terraform_data" "x" {
  input = "\${var.region}-\${jsonencode({ a = "}" })}"
}
`;

describe('variableDeclarations (HCL scan)', () => {
  const decls = variableDeclarations(MAIN_TF);
  it('finds exactly the top-level variable blocks, not those in comments, strings or heredocs', () => {
    assert.deepEqual(
      decls.map((d) => d.name),
      ['region', 'replicas', 'tags', 'servers', 'pair', 'untyped', 'strict'],
    );
  });
  it('reads type, default and nullable, ignoring nested blocks', () => {
    const by = new Map(decls.map((d) => [d.name, d]));
    assert.equal(by.get('region')?.type, 'string');
    assert.equal(by.get('replicas')?.type, 'number');
    assert.equal(by.get('replicas')?.hasDefault, true);
    assert.equal(by.get('region')?.hasDefault, false);
    assert.match(by.get('servers')?.type ?? '', /^list\(object\(\{[\s\S]*\}\)\)$/u);
    assert.equal(by.get('pair')?.type, 'tuple([string, number])');
    assert.equal(by.get('untyped')?.type, undefined);
    assert.equal(by.get('strict')?.nonNullable, true);
  });
});

describe('parseType and typeProblems', () => {
  it('reads nested constraints', () => {
    assert.deepEqual(parseType('list(object({ name = string, size = optional(number, 1) }))'), {
      kind: 'list',
      of: {
        kind: 'object',
        attrs: { name: { type: { kind: 'string' }, optional: false }, size: { type: { kind: 'number' }, optional: true } },
      },
    });
  });
  it('reads what it does not know as any (never refuses a valid value)', () => {
    assert.deepEqual(parseType('weird(thing)'), { kind: 'any' });
    assert.deepEqual(typeProblems({ a: 1 }, parseType('weird(thing)'), 'v'), []);
  });
  it("accepts tofu's conversions", () => {
    assert.deepEqual(typeProblems(5, parseType('string'), 'v'), []);
    assert.deepEqual(typeProblems('12', parseType('number'), 'v'), []);
    assert.deepEqual(typeProblems('true', parseType('bool'), 'v'), []);
    assert.deepEqual(typeProblems({ name: 'a', extra: 1 }, parseType('object({ name = string })'), 'v'), []);
    assert.deepEqual(typeProblems(null, parseType('number'), 'v'), []);
  });
  it('names the path of each wrong value', () => {
    const t = parseType('list(object({ name = string, size = optional(number) }))');
    assert.deepEqual(typeProblems([{ name: 'a', size: 'big' }, { size: 1 }], t, 'servers', true), [
      'servers[0].size: expected a number, got "big"',
      'servers[1]: attribute "name" is required',
    ]);
    assert.deepEqual(typeProblems('x', parseType('map(string)'), 'tags'), ['tags: expected a map, got a string']);
    assert.deepEqual(typeProblems(['a'], parseType('tuple([string, number])'), 'pair'), ['pair: expected a tuple of 2 elements, got 1']);
  });
});

describe('variableProblems', () => {
  const declared = declaredVariables([
    { name: 'main.tf', text: MAIN_TF },
    { name: 'extra.tf.json', text: JSON.stringify({ variable: { from_json: { type: 'bool' } } }) },
    { name: 'README.md', text: 'variable "no" {}' },
  ]);
  it('reads .tf and .tf.json files only', () => {
    assert.equal(declared.has('from_json'), true);
    assert.equal(declared.has('no'), false);
  });
  it('passes values that fit', () => {
    assert.deepEqual(
      variableProblems(declared, {
        region: { value: 'eu', origin: 'spec.variables.region' },
        servers: { value: [{ name: 'a' }], origin: 'spec.variables.servers' },
        from_json: { value: 'false', origin: 'ConfigMap vars key from_json' },
        tags: { value: 'not checked', origin: 'ConfigMap vars key all.tfvars', unchecked: true },
      }),
      [],
    );
  });
  it('refuses undeclared names and wrong types, naming where the value came from', () => {
    assert.deepEqual(
      variableProblems(declared, {
        regoin: { value: 'eu', origin: 'spec.variables.regoin' },
        replicas: { value: 'three', origin: 'ConfigMap c key replicas' },
        tags: { value: { team: ['s3cr3t'] }, origin: 'Secret s', sensitive: true },
        pair: { value: ['x', 'not-a-number-s3cr3t'], origin: 'Secret s', sensitive: true },
        strict: { value: null, origin: 'spec.variables.strict' },
      }),
      [
        'spec.variables.regoin: the module does not declare a variable "regoin" (declared: from_json, pair, region, replicas, servers, strict, tags, untyped)',
        'ConfigMap c key replicas: replicas: expected a number, got "three" (type number)',
        'Secret s: tags.team: expected a string, got a list (type map(string))',
        'Secret s: pair[1]: expected a number, got a string (type tuple([string, number]))',
        'spec.variables.strict: variable "strict" is not nullable (nullable = false) and cannot be null',
      ],
    );
  });
});
