import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { anchorId, errorSummary } from './error-summary.ts';

const ORDER = ['metadata.name', 'spec.source.repository', 'spec.variables', 'spec.varsFrom', 'spec.executionTemplate.env'];

describe('anchorId', () => {
  it('turns a field path into the id of its control', () => {
    assert.equal(anchorId('metadata.name'), 'metadata-name');
    assert.equal(anchorId('spec.source.repository'), 'spec-source-repository');
    assert.equal(anchorId('spec.variables[2]'), 'spec-variables-2');
  });
});

describe('errorSummary', () => {
  it('lists each field error in the order of the form, with its label and the id to focus', () => {
    const s = errorSummary(
      {
        'spec.executionTemplate.env': 'line 1: NAME=value',
        'metadata.name': 'TofuModule "web" already exists',
        'spec.source.repository': 'required',
      },
      ORDER,
    );
    assert.deepEqual(s, [
      { path: 'metadata.name', target: 'metadata-name', label: 'Name', message: 'TofuModule "web" already exists' },
      { path: 'spec.source.repository', target: 'spec-source-repository', label: 'Git repository', message: 'required' },
      { path: 'spec.executionTemplate.env', target: 'spec-executionTemplate-env', label: 'Environment', message: 'line 1: NAME=value' },
    ]);
  });

  it('names rows by their list and number, sorted by index under the list', () => {
    const s = errorSummary(
      {
        'spec.varsFrom[0]': 'Secret name: required',
        'spec.variables[10]': 'not a number',
        'spec.variables[2]': 'true or false',
        'spec.variables': 'at most 200 variables',
      },
      ORDER,
    );
    assert.deepEqual(
      s.map((e) => [e.label, e.target]),
      [
        ['Variables', 'spec-variables'],
        ['Variable 3', 'spec-variables-2'],
        ['Variable 11', 'spec-variables-10'],
        ['Source 1', 'spec-varsFrom-0'],
      ],
    );
  });

  it('leaves out the errors no field shows and puts unknown paths last', () => {
    const s = errorSummary({ '': 'spec.x: unknown field', 'spec.other': 'bad', 'metadata.name': 'required' }, ORDER);
    assert.deepEqual(
      s.map((e) => [e.label, e.message]),
      [
        ['Name', 'required'],
        ['spec.other', 'bad'],
      ],
    );
  });

  it('is empty without errors', () => assert.deepEqual(errorSummary({}, ORDER), []));
});
