// The crash detection of the stack's processes, with small Node processes in a directory of their own
// (never the e2e output directory, whose exits fail the run): an exit nobody announced is recorded
// and fails, a kill announced with killService is not, and a restarted service runs again either way.
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './cluster.ts';
import { killService, ServiceExitedError, ServiceProcess } from './processes.ts';
import { ServiceExits, UnexpectedExitError } from './service-exits.ts';

const forever = ['-e', 'setInterval(() => {}, 1000)'];

test.describe('service processes', () => {
  let dir: string;
  let services: ServiceProcess[];
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'service-exits-'));
    services = [];
  });
  test.afterEach(async () => {
    await Promise.all(services.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });
  const service = (name: string, args: string[], restartOnExit: boolean) => {
    const s = new ServiceProcess(name, args, {}, dir);
    s.restartOnExit = restartOnExit;
    services.push(s);
    s.start();
    return s;
  };

  test('an exit nobody asked for is recorded and fails the check', async () => {
    const exits = new ServiceExits(dir);
    service('crasher', ['-e', 'process.exit(3)'], false);
    const [line] = await waitFor('the exit recorded', () => (exits.unexpected().length > 0 ? exits.unexpected() : undefined), 10_000, 50);
    expect(line).toMatch(/^crasher \(pid \d+\) exited unexpectedly \(code 3\)/);
    expect(() => exits.assertNoneSince(0, 'the run')).toThrow(UnexpectedExitError);
    expect(() => exits.assertNoneSince(1, 'the run')).not.toThrow();
  });

  test('a kill announced with killService is expected: nothing recorded, the service runs again', async () => {
    const s = service('steady', forever, true);
    await waitFor('the first process', () => s.pid, 10_000, 50);
    const killed = killService('steady', 'SIGKILL', dir);
    await waitFor('a new process', () => s.pid !== undefined && s.pid !== killed, 10_000, 50);
    // Long enough for a wrongly recorded exit to show up.
    await new Promise((r) => setTimeout(r, 500));
    expect(new ServiceExits(dir).unexpected()).toEqual([]);
  });

  test('a kill that was not announced is recorded, and the service still runs again', async () => {
    const s = service('victim', forever, true);
    const first = await waitFor('the first process', () => s.pid, 10_000, 50);
    process.kill(first, 'SIGKILL');
    const exits = new ServiceExits(dir);
    await waitFor('the exit recorded', () => exits.unexpected().length === 1, 10_000, 50);
    expect(exits.unexpected()[0]).toMatch(new RegExp(`^victim \\(pid ${first}\\) exited unexpectedly \\(SIGKILL\\)`));
    await waitFor('a new process', () => s.pid !== undefined && s.pid !== first, 10_000, 50);
  });

  test('waiting for a service that crashes and is restarted fails at once, not after the timeout', async () => {
    const s = service('crashloop', ['-e', 'setTimeout(() => process.exit(1), 100)'], true);
    const t0 = Date.now();
    // Nothing listens on port 9 (discard): only the crash can end the wait early.
    await expect(s.waitHealthy('http://127.0.0.1:9/', 30_000)).rejects.toThrow(ServiceExitedError);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
