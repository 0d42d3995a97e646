import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { growthSvg, median, niceStep, wrap } from './growth-plot.ts';

describe('growth plot', () => {
  it('picks round tick steps', () => {
    assert.equal(niceStep(400), 100);
    assert.equal(niceStep(9), 2);
    assert.equal(niceStep(0.7), 0.2);
    assert.equal(niceStep(0), 1);
  });

  it('wraps a caption at spaces', () => {
    assert.deepEqual(wrap('aaa bbb ccc dd', 7), ['aaa bbb', 'ccc dd']);
    assert.deepEqual(wrap('averyveryverylongword x', 5), ['averyveryverylongword', 'x']);
  });

  it('takes the median of the numbers, leaving NaN out', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([NaN, 5]), 5);
    assert.ok(Number.isNaN(median([])));
  });

  it('draws a panel per measure with a line and a labelled point per N, sorted by N, escaped', () => {
    const svg = growthSvg(
      [
        {
          title: 'peak RSS',
          unit: 'MiB',
          series: {
            operator: [
              [1000, 390],
              [100, 210],
            ],
          },
        },
        {
          title: 'requests per stack',
          unit: 'requests',
          series: {
            operator: [
              [100, 4],
              [1000, 4.2],
            ],
            'floor <2>': [
              [100, 2],
              [1000, 2],
            ],
          },
        },
      ],
      'measured on a & b',
    );
    assert.match(svg, /^<svg [^>]*width="640"/);
    assert.equal(svg.match(/<polyline /g)?.length, 3);
    assert.equal(svg.match(/<circle /g)?.length, 6);
    assert.match(svg, /<title>operator: N=100, 210 MiB<\/title>/);
    assert.match(svg, /floor &lt;2&gt;/);
    assert.match(svg, /measured on a &amp; b/);
    // N = 100 is left of N = 1000 in the line (points sorted by N).
    const line = /<polyline [^>]*points="([^"]+)"/
      .exec(svg)![1]!
      .split(' ')
      .map((p) => Number(p.split(',')[0]));
    assert.ok(line[0]! < line[1]!);
  });
});
