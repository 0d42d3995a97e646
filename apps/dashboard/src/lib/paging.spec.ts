import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PAGE_SIZE, loadingNote, pageOf, parsePage, parsePageSize } from './paging.ts';

const rows = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('parsePage', () => {
  it('a positive integer', () => assert.equal(parsePage('7'), 7));
  for (const raw of [null, '', '0', '-2', '1.5', 'abc', '99999999999999999999'])
    it(`falls back to 1 for ${JSON.stringify(raw)}`, () => assert.equal(parsePage(raw), 1));
});

describe('parsePageSize', () => {
  it('an offered size', () => assert.equal(parsePageSize('200'), 200));
  for (const raw of [null, '', '7', '100000', 'x'])
    it(`falls back to the default for ${JSON.stringify(raw)}`, () => assert.equal(parsePageSize(raw), DEFAULT_PAGE_SIZE));
});

describe('pageOf', () => {
  it('the first page', () => assert.deepEqual(pageOf(rows(120), 1, 50), { rows: rows(50), page: 1, pages: 3, first: 1, last: 50 }));
  it('a middle page', () => {
    const p = pageOf(rows(120), 2, 50);
    assert.deepEqual([p.rows[0], p.rows.at(-1), p.page, p.first, p.last], [51, 100, 2, 51, 100]);
  });
  it('the last page is short', () => {
    const p = pageOf(rows(120), 3, 50);
    assert.deepEqual([p.rows.length, p.first, p.last], [20, 101, 120]);
  });
  it('a page past the end shows the last one', () => {
    const p = pageOf(rows(120), 30, 50);
    assert.deepEqual([p.page, p.pages, p.first, p.last], [3, 3, 101, 120]);
  });
  it('an exact multiple has no empty last page', () => assert.equal(pageOf(rows(100), 1, 50).pages, 2));
  it('an empty list has one empty page', () => assert.deepEqual(pageOf([], 4, 50), { rows: [], page: 1, pages: 1, first: 0, last: 0 }));
});

describe('loadingNote', () => {
  it('says how much is loaded', () => assert.equal(loadingNote({ loaded: 500, total: 10000 }, 'stacks'), 'Loading stacks: 500 of 10000'));
});
