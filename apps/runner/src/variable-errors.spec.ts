import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VarFileSource } from './inputs.js';
import { invalidVariables, sourceOf, tfvarsNames, tofuDiagnostics, undeclaredVariables, variableProblems } from './variable-errors.js';

const files: VarFileSource[] = [
  { path: '/w/prod.tfvars', source: 'spec.varFiles[0] "prod.tfvars"', keys: ['region', 'replicas'] },
  { path: '/tmp/r/00-vars.tfvars.json', source: 'ConfigMap "app" key "vars.json"', keys: ['region', 'name'] },
  { path: '/tmp/r/01-db.tfvars', source: 'Secret "db" key "db.tfvars"', keys: ['password'] },
];

const undeclared = `
Warning: Value for undeclared variable

The root module does not declare a variable named "nmae" but a value was
found in file "/tmp/r/00-vars.tfvars.json". If you meant to use this value, add a
"variable" block to the configuration.

Warning: Values for undeclared variables

In addition to the other similar warnings shown, 2 other variable(s) defined
without being declared.
`;

const invalidValue = `
Error: Invalid value for input variable

  on main.tf line 1:
   1: variable "replicas" { type = number }

The given value is not suitable for var.replicas declared at main.tf:1,1-13: a
number is required.
`;

const required = `\u001b[31m╷\u001b[0m
\u001b[31m│\u001b[0m \u001b[1m\u001b[31mError: \u001b[0m\u001b[1mNo value for required variable\u001b[0m
\u001b[31m│\u001b[0m
\u001b[31m│\u001b[0m   on main.tf line 2:
\u001b[31m│\u001b[0m    2: variable "token" { type = string }
\u001b[31m│\u001b[0m
\u001b[31m│\u001b[0m The root module input variable "token" is not set, and has no default value.
\u001b[31m│\u001b[0m Use a -var or -var-file command line argument to provide a value for this
\u001b[31m│\u001b[0m variable.
\u001b[31m╵\u001b[0m
`;

const syntax = `
Error: Missing expression

  on /tmp/r/01-db.tfvars line 2:
   2: password = "hunter2-secret" +

Expected the start of an expression, but found the end of the file.
`;

describe('tofuDiagnostics', () => {
  it('reads severity, summary, file and the joined detail, leaving out the source snippet', () => {
    assert.deepEqual(tofuDiagnostics(syntax), [
      {
        severity: 'Error',
        summary: 'Missing expression',
        file: '/tmp/r/01-db.tfvars',
        detail: 'Expected the start of an expression, but found the end of the file.',
      },
    ]);
    assert.equal(tofuDiagnostics(required)[0]?.summary, 'No value for required variable');
  });
});

describe('variableProblems', () => {
  it('names an undeclared variable and the source of the file tofu found it in', () => {
    assert.deepEqual(variableProblems(undeclared, files), [
      'variable "nmae" is not declared by the module (set by ConfigMap "app" key "vars.json")',
      '2 more variable(s) not declared by the module',
    ]);
  });

  it('leaves undeclared values in files the run did not pass (terraform.tfvars) to tofu’s warning', () => {
    assert.deepEqual(variableProblems(undeclared.replace('/tmp/r/00-vars.tfvars.json', 'terraform.tfvars'), files), []);
  });

  it('names a variable with a value of the wrong type and the last source setting it, never the value', () => {
    assert.deepEqual(variableProblems(invalidValue, files), [
      'invalid value for variable "replicas" (set by spec.varFiles[0] "prod.tfvars"): a number is required.',
    ]);
  });

  it('names a required variable without a value (coloured output)', () => {
    assert.deepEqual(variableProblems(required, files), [
      'variable "token" is required and has no value: set it in spec.variables, spec.varsFrom or spec.varFiles',
    ]);
  });

  it('names the source of a file tofu cannot read, without the snippet that shows a value', () => {
    const [problem] = variableProblems(syntax, files);
    assert.equal(
      problem,
      'Missing expression in Secret "db" key "db.tfvars": Expected the start of an expression, but found the end of the file.',
    );
  });

  it('ignores other diagnostics', () => {
    assert.deepEqual(
      variableProblems(
        'Error: Reference to undeclared resource\n\n  on main.tf line 3:\n\nA managed resource has not been declared.',
        files,
      ),
      [],
    );
  });
});

describe('sources and names', () => {
  it('finds the file that sets a variable, the last one winning', () => {
    assert.equal(sourceOf('region', files), 'ConfigMap "app" key "vars.json"');
    assert.equal(sourceOf('other', files), undefined);
  });

  it('reads the top-level names of a tfvars text', () => {
    assert.deepEqual(tfvarsNames('region = "eu"\n"quoted" = 1\ntags = {\n  inner = "x"\n}\n# comment = 1\n'), ['region', 'quoted', 'tags']);
  });

  it('lists json variables the plan does not declare', () => {
    const plan = { configuration: { root_module: { variables: { region: {}, replicas: {} } } } };
    // "password" (a tfvars file's name, as the runner reads it) is left to tofu's own warning.
    assert.deepEqual(undeclaredVariables(plan, files), [
      'variable "name" is not declared by the module (set by ConfigMap "app" key "vars.json")',
    ]);
  });

  it('makes an InvalidVariables failure of the problems, or none', () => {
    assert.equal(invalidVariables([]), undefined);
    const err = invalidVariables(['a', 'a', 'b']);
    assert.equal(err?.category, 'InvalidVariables');
    assert.equal(err?.message, 'the variables cannot be used: a; b');
  });
});
