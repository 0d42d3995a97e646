import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applySgr, parseAnsi, stripAnsi } from './ansi.ts';

const E = '\u001b[';

describe('parseAnsi', () => {
  it('plain text is one unstyled segment', () => {
    assert.deepEqual(parseAnsi('hello').segments, [{ text: 'hello', style: {} }]);
  });

  it("OpenTofu's plan line: bold, green, reset", () => {
    const { segments } = parseAnsi(`${E}1mPlan:${E}0m 2 to add, ${E}32m+${E}0m done`);
    assert.deepEqual(segments, [
      { text: 'Plan:', style: { bold: true } },
      { text: ' 2 to add, ', style: {} },
      { text: '+', style: { fg: 'green' } },
      { text: ' done', style: {} },
    ]);
  });

  it('carries the style over to the next line', () => {
    const first = parseAnsi(`${E}31mred starts`);
    const second = parseAnsi(`still red${E}0m plain`, first.style);
    assert.deepEqual(second.segments, [
      { text: 'still red', style: { fg: 'red' } },
      { text: ' plain', style: {} },
    ]);
  });

  it('drops non-SGR sequences (cursor, erase, OSC titles)', () => {
    assert.deepEqual(parseAnsi(`a${E}2Kb${E}1Gc\u001b]0;title\u0007d`).segments, [{ text: 'abcd', style: {} }]);
  });

  it('keeps markup as text (nothing is HTML)', () => {
    assert.deepEqual(parseAnsi('<img src=x onerror=alert(1)>').segments, [{ text: '<img src=x onerror=alert(1)>', style: {} }]);
  });

  it('an empty line has no segments', () => {
    assert.deepEqual(parseAnsi('').segments, []);
  });
});

describe('applySgr', () => {
  const cases: [string, string, object][] = [
    ['reset by empty params', '', {}],
    ['bold and red', '1;31', { bold: true, fg: 'red' }],
    ['bright foreground', '92', { fg: 'bright-green' }],
    ['background', '44', { bg: 'blue' }],
    ['bright background', '101', { bg: 'bright-red' }],
    ['256-colour cube', '38;5;196', { fg: '#ff0000' }],
    ['256-colour named', '38;5;1', { fg: 'red' }],
    ['256-colour grey', '48;5;244', { bg: '#808080' }],
    ['truecolour', '38;2;1;2;3', { fg: '#010203' }],
    ['dim italic underline', '2;3;4', { dim: true, italic: true, underline: true }],
  ];
  for (const [what, params, want] of cases) it(what, () => assert.deepEqual(applySgr({}, params), want));

  it('turns attributes off one by one', () => {
    const s = applySgr({ bold: true, fg: 'red', bg: 'blue', underline: true, italic: true }, '22;39;49;24;23');
    assert.deepEqual(s, {});
  });

  it('ignores a truncated extended colour', () => {
    assert.deepEqual(applySgr({}, '38;5'), {});
  });
});

describe('stripAnsi', () => {
  it('removes every escape sequence', () => {
    assert.equal(stripAnsi(`${E}1m${E}32m+${E}0m resource "a" {${E}K`), '+ resource "a" {');
  });
});
