import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkRunnableBlocks,
  compareVariables,
  configVariables,
  documentedVariables,
  findRunnableBlocks,
  referencedRunnableIds,
} from './check-docs.ts';

const fence = '```';

describe('findRunnableBlocks', () => {
  const table: { name: string; md: string; ids: string[]; errors: RegExp[] }[] = [
    {
      name: 'a marker right before a shell block',
      md: `text\n<!-- runnable: quick -->\n${fence}sh\necho hi\n${fence}\n`,
      ids: ['quick'],
      errors: [],
    },
    {
      name: 'prose between the marker and its block, bash info string',
      md: `<!-- runnable: b -->\nThe same from a terminal:\n\n${fence}bash\nls\n${fence}\n`,
      ids: ['b'],
      errors: [],
    },
    { name: 'unmarked blocks are not runnable', md: `${fence}sh\nls\n${fence}\n`, ids: [], errors: [] },
    {
      name: 'a marker inside a code block is text',
      md: `${fence}md\n<!-- runnable: inside -->\n${fence}\n${fence}sh\nls\n${fence}\n`,
      ids: [],
      errors: [],
    },
    {
      name: 'a longer fence holds a shorter one',
      md: `${fence}\`md\n${fence}\n<!-- runnable: inside -->\n${fence}\`\n`,
      ids: [],
      errors: [],
    },
    {
      name: 'a marker before a YAML block',
      md: `<!-- runnable: y -->\n${fence}yaml\na: 1\n${fence}\n`,
      ids: [],
      errors: [/:1: runnable marker "y" is followed by a yaml block/],
    },
    { name: 'a marker with no block after it', md: `<!-- runnable: end -->\ntext\n`, ids: [], errors: [/:1: .*"end" marks no block/] },
    {
      name: 'two markers in a row',
      md: `<!-- runnable: a -->\n<!-- runnable: b -->\n${fence}sh\nls\n${fence}\n`,
      ids: ['b'],
      errors: [/:1: .*"a" marks no block before the next marker/],
    },
    {
      name: 'a marker without a proper id',
      md: `<!-- runnable: Quick Start -->\n${fence}sh\nls\n${fence}\n`,
      ids: [],
      errors: [/:1: runnable marker needs an id/],
    },
    {
      name: 'an indented block in a list item',
      md: `- step\n  <!-- runnable: li -->\n  ${fence}sh\n  ls\n  ${fence}\n`,
      ids: ['li'],
      errors: [],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const { blocks, errors } = findRunnableBlocks(t.md, 'doc.md');
      assert.deepEqual(
        blocks.map((b) => b.id),
        t.ids,
      );
      assert.equal(errors.length, t.errors.length, errors.join('\n'));
      t.errors.forEach((re, i) => assert.match(errors[i]!, re));
    });
  }

  it('records the file and the line of the marker', () => {
    assert.deepEqual(findRunnableBlocks(`a\n\n<!-- runnable: x -->\n${fence}sh\n${fence}\n`, 'docs/x.md').blocks, [
      { id: 'x', file: 'docs/x.md', line: 3 },
    ]);
  });
});

describe('referencedRunnableIds', () => {
  it('finds the markers a test searches for, in regular expressions and strings', () => {
    const source = [
      'const block = /<!-- runnable: quickstart-terminal -->[\\s\\S]*?```sh\\n/.exec(doc);',
      "const other = doc.indexOf('<!--runnable:second-->');",
      '// runnable: not-a-marker (no comment syntax)',
    ].join('\n');
    assert.deepEqual(referencedRunnableIds(source), ['quickstart-terminal', 'second']);
  });
});

describe('checkRunnableBlocks', () => {
  const block = (id: string, file = 'docs/a.md', line = 1) => ({ id, file, line });
  it('passes when every block is referenced by a test and every reference exists', () => {
    assert.deepEqual(checkRunnableBlocks([block('a'), block('b')], new Map([['e2e/x.spec.ts', ['a', 'b']]])), []);
  });
  it('reports a block no test runs', () => {
    const errors = checkRunnableBlocks([block('a'), block('b', 'README.md', 7)], new Map([['e2e/x.spec.ts', ['a']]]));
    assert.deepEqual(errors, [
      'README.md:7: the block marked runnable "b" is run by no test (no test file contains "<!-- runnable: b -->")',
    ]);
  });
  it('reports a test looking for a marker that is gone', () => {
    const errors = checkRunnableBlocks([block('a')], new Map([['e2e/x.spec.ts', ['a', 'gone']]]));
    assert.deepEqual(errors, ['e2e/x.spec.ts: looks for the runnable marker "gone", which no file of README.md or docs/ has']);
  });
  it('reports a duplicate id', () => {
    const errors = checkRunnableBlocks([block('a', 'docs/a.md', 3), block('a', 'docs/b.md', 9)], new Map([['t.spec.ts', ['a']]]));
    assert.deepEqual(errors, ['docs/b.md:9: runnable marker "a" is also at docs/a.md:3; ids must be unique']);
  });
});

describe('configVariables', () => {
  it('takes whole string literals only, once each, sorted', () => {
    const source = [
      "role: oneOf(env, 'TOFU_OPERATOR_ROLE', ['all', 'api'], 'all'),",
      'image: env["TOFU_OPERATOR_RUNNER_IMAGE"] || x,',
      'again: env[`TOFU_OPERATOR_ROLE`],',
      "throw new ConfigError('lease timings must satisfy TOFU_OPERATOR_RETRY_PERIOD_MS < TOFU_OPERATOR_RENEW_DEADLINE_MS');",
      "const PREFIX = 'TOFU_OPERATOR_';",
      "host: env['HOST'],",
    ].join('\n');
    assert.deepEqual(configVariables(source), ['TOFU_OPERATOR_ROLE', 'TOFU_OPERATOR_RUNNER_IMAGE']);
  });
});

describe('documentedVariables', () => {
  const doc = (rows: string[], after = '') =>
    [
      '# Operations',
      '',
      '## Configuration (environment variables of the operator)',
      '',
      'Intro mentioning `TOFU_OPERATOR_INTRO`.',
      '',
      '| variable | default | meaning |',
      '| --- | --- | --- |',
      ...rows,
      '',
      after,
    ].join('\n');

  it('reads the first column of the configuration table', () => {
    const md = doc(
      [
        '| `TOFU_OPERATOR_ROLE` | `all` | uses `TOFU_OPERATOR_OTHER` |',
        '| `PORT` | `8080` | port |',
        '| `TOFU_OPERATOR_A` / `TOFU_OPERATOR_B` | 1 | x |',
      ],
      '## RBAC\n\n| `TOFU_OPERATOR_LATER` | x |',
    );
    assert.deepEqual(documentedVariables(md, 'ops.md'), {
      names: ['TOFU_OPERATOR_A', 'TOFU_OPERATOR_B', 'TOFU_OPERATOR_ROLE'],
      errors: [],
    });
  });
  it('refuses abbreviated names', () => {
    const { errors } = documentedVariables(doc(['| `TOFU_OPERATOR_KUBE_QPS` / `_BURST` | 50 / 100 | rate |']), 'ops.md');
    assert.deepEqual(errors, ['ops.md:9: "_BURST" is abbreviated: write the variable\'s whole name']);
  });
  it('says when the section or its table is missing', () => {
    assert.match(documentedVariables('# Operations\n', 'ops.md').errors[0]!, /no "## Configuration" section/);
    assert.match(documentedVariables('## Configuration\n\ntext\n\n## Next\n', 'ops.md').errors[0]!, /has no table/);
  });
});

describe('compareVariables', () => {
  it('reports each side missing, by name', () => {
    assert.deepEqual(compareVariables(['TOFU_OPERATOR_A', 'TOFU_OPERATOR_B'], ['TOFU_OPERATOR_B', 'TOFU_OPERATOR_C'], 'ops.md', 'config'), [
      "TOFU_OPERATOR_A is read by config but not documented in ops.md's configuration table",
      'TOFU_OPERATOR_C is documented in ops.md but config does not read it',
    ]);
  });
  it('is quiet when both sides agree', () => {
    assert.deepEqual(compareVariables(['TOFU_OPERATOR_A'], ['TOFU_OPERATOR_A'], 'ops.md', 'config'), []);
  });
});
