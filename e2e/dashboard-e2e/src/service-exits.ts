// Exits of the stack's processes, shared between global-setup (which runs them) and the tests (which
// run in worker processes): a test that kills a service says so first; any other exit is a crash the
// run must not absorb, even though the service is started again for the tests that follow.
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A service process exited although nothing stopped it and no test announced the kill. */
export class UnexpectedExitError extends Error {
  override readonly name = 'UnexpectedExitError';
}

/** The bookkeeping files of one directory (the e2e output directory, or a test's own). */
export class ServiceExits {
  // No parameter property: bench.ts runs this file with Node's type stripping.
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private expectedFile(service: string): string {
    return join(this.dir, `${service}.expected-exit`);
  }

  private get unexpectedFile(): string {
    return join(this.dir, 'unexpected-exits.log');
  }

  /** Announces that the process `pid` of `service` is about to be killed on purpose. */
  expect(service: string, pid: number): void {
    writeFileSync(this.expectedFile(service), String(pid));
  }

  /** Whether the exit of `pid` was announced; the announcement is used up. */
  takeExpected(service: string, pid: number): boolean {
    const file = this.expectedFile(service);
    if (!existsSync(file) || Number(readFileSync(file, 'utf8')) !== pid) return false;
    rmSync(file, { force: true });
    return true;
  }

  /** Records an exit nobody asked for (one line, with where to look). */
  recordUnexpected(line: string): void {
    appendFileSync(this.unexpectedFile, `${line}\n`);
  }

  /** Every unexpected exit recorded so far, oldest first. */
  unexpected(): string[] {
    if (!existsSync(this.unexpectedFile)) return [];
    return readFileSync(this.unexpectedFile, 'utf8').split('\n').filter(Boolean);
  }

  /** Throws when exits beyond the first `seen` were recorded (`seen`: a count taken earlier). */
  assertNoneSince(seen: number, during: string): void {
    const fresh = this.unexpected().slice(seen);
    if (fresh.length > 0) throw new UnexpectedExitError(`${during}: ${fresh.join('; ')}`);
  }
}
