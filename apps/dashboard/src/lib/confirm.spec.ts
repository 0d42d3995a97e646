import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { typedConfirmationMatches } from './confirm.ts';

describe('typedConfirmationMatches', () => {
  const cases: [typed: string, name: string, confirms: boolean][] = [
    ['web', 'web', true],
    ['', 'web', false],
    ['we', 'web', false],
    ['web ', 'web', false],
    [' web', 'web', false],
    ['Web', 'web', false],
    ['web-prod', 'web', false],
    ['', '', false],
  ];
  for (const [typed, name, confirms] of cases) {
    it(`${JSON.stringify(typed)} for ${JSON.stringify(name)}: ${confirms ? 'confirms' : 'does not confirm'}`, () => {
      assert.equal(typedConfirmationMatches(typed, name), confirms);
    });
  }
});
