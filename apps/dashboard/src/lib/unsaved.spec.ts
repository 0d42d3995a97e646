import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDirty, leavesPage, type LinkClick } from './unsaved.ts';

const HERE = 'https://dash.example/ns/a/modules/m/edit';
const click = (over: Partial<LinkClick>): LinkClick => ({
  href: 'https://dash.example/ns/a/modules',
  target: null,
  download: false,
  button: 0,
  modified: false,
  defaultPrevented: false,
  ...over,
});

describe('isDirty', () => {
  it('is false for the same values, whatever the key order', () => {
    assert.equal(isDirty({ name: 'a', env: '', vars: [{ k: 1 }] }, { vars: [{ k: 1 }], env: '', name: 'a' }), false);
  });
  it('is true when a field changed, was added or a list item moved', () => {
    assert.equal(isDirty({ name: 'a' }, { name: 'ab' }), true);
    assert.equal(isDirty({ name: 'a' }, { name: 'a', env: 'X=1' }), true);
    assert.equal(isDirty({ l: [1, 2] }, { l: [2, 1] }), true);
  });
  it('is false again when an edit is typed back to the start', () => {
    const start = { revision: 'main' };
    assert.equal(isDirty(start, { revision: 'mai' }), true);
    assert.equal(isDirty(start, { revision: 'main' }), false);
  });
});

describe('leavesPage', () => {
  it('asks about a plain click on a link to another page of the app or elsewhere', () => {
    assert.equal(leavesPage(click({}), HERE), true);
    assert.equal(leavesPage(click({ href: 'https://other.example/' }), HERE), true);
    assert.equal(leavesPage(click({ href: `${HERE}?tab=yaml` }), HERE), true);
    assert.equal(leavesPage(click({ target: '_self' }), HERE), true);
  });
  it('does not ask about clicks that keep this page and its form', () => {
    assert.equal(leavesPage(click({ href: undefined }), HERE), false);
    assert.equal(leavesPage(click({ href: `${HERE}#spec.variables` }), HERE), false);
    assert.equal(leavesPage(click({ target: '_blank' }), HERE), false);
    assert.equal(leavesPage(click({ modified: true }), HERE), false);
    assert.equal(leavesPage(click({ button: 1 }), HERE), false);
    assert.equal(leavesPage(click({ download: true }), HERE), false);
    assert.equal(leavesPage(click({ defaultPrevented: true }), HERE), false);
    assert.equal(leavesPage(click({ href: 'mailto:ops@example.com' }), HERE), false);
  });
});
