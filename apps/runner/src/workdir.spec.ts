import assert from 'node:assert/strict';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RunnerError } from './errors.js';
import { isInside, lexicalWorkdir, resolveWorkdir } from './workdir.js';
import { tempDir } from './testing/fixtures.js';

function category(err: unknown): string | undefined {
  return err instanceof RunnerError ? err.category : undefined;
}

describe('isInside', () => {
  it('accepts the root and what is below it', () => {
    assert.equal(isInside('/w/src', '/w/src'), true);
    assert.equal(isInside('/w/src', '/w/src/a/b'), true);
    assert.equal(isInside('/w/src', '/w/src/..a'), true);
  });

  it('refuses parents, siblings and prefixes', () => {
    assert.equal(isInside('/w/src', '/w'), false);
    assert.equal(isInside('/w/src', '/w/src2'), false);
    assert.equal(isInside('/w/src', '/etc'), false);
  });
});

describe('lexicalWorkdir', () => {
  it('resolves relative workdirs under the checkout', () => {
    assert.equal(lexicalWorkdir('/w/src', '.'), '/w/src');
    assert.equal(lexicalWorkdir('/w/src', ''), '/w/src');
    assert.equal(lexicalWorkdir('/w/src', 'envs/prod/'), '/w/src/envs/prod');
    assert.equal(lexicalWorkdir('/w/src', './a/../b'), '/w/src/b');
  });

  it('refuses absolute paths, escapes and NUL with InvalidInput', () => {
    for (const wd of ['/etc', '..', '../src2', 'a/../..', 'a/../../etc', 'x\0y']) {
      assert.throws(
        () => lexicalWorkdir('/w/src', wd),
        (err) => category(err) === 'InvalidInput',
        JSON.stringify(wd),
      );
    }
  });
});

describe('resolveWorkdir', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let checkout: string;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    checkout = path.join(dir, 'checkout');
    await mkdir(path.join(checkout, 'modules', 'app'), { recursive: true });
    await mkdir(path.join(dir, 'outside'), { recursive: true });
    await writeFile(path.join(checkout, 'main.tf'), '');
    await symlink('modules/app', path.join(checkout, 'inner-link'));
    await symlink(path.join(dir, 'outside'), path.join(checkout, 'outer-link'));
    await symlink('../../outside', path.join(checkout, 'modules', 'relative-outer-link'));
    await symlink('/', path.join(checkout, 'root-link'));
    await symlink('loop', path.join(checkout, 'loop'));
    await symlink('nowhere', path.join(checkout, 'dangling'));
  });
  after(() => cleanup());

  it('returns the real directory', async () => {
    const real = await realpath(checkout);
    assert.equal(await resolveWorkdir(checkout, '.'), real);
    assert.equal(await resolveWorkdir(checkout, 'modules/app'), path.join(real, 'modules', 'app'));
  });

  it('follows symlinks that stay inside', async () => {
    assert.equal(await resolveWorkdir(checkout, 'inner-link'), path.join(await realpath(checkout), 'modules', 'app'));
  });

  it('refuses symlinks that lead outside with InvalidInput', async () => {
    for (const wd of ['outer-link', 'modules/relative-outer-link', 'root-link', 'root-link/etc', 'loop']) {
      await assert.rejects(resolveWorkdir(checkout, wd), (err) => category(err) === 'InvalidInput', wd);
    }
  });

  it('refuses a lexical escape even when the target exists', async () => {
    await assert.rejects(resolveWorkdir(checkout, '../outside'), (err) => category(err) === 'InvalidInput');
  });

  it('reports a missing directory or a file as WorkdirNotFound', async () => {
    for (const wd of ['nope', 'modules/nope', 'main.tf/x', 'dangling', 'main.tf']) {
      await assert.rejects(resolveWorkdir(checkout, wd), (err) => category(err) === 'WorkdirNotFound', wd);
    }
  });
});
