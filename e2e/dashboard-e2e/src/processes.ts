// The operator and the dashboard as real processes (their built outputs), logs under test-output.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputDir, repoRoot } from './cluster.ts';
import { ServiceExits } from './service-exits.ts';

/** A service exited while a caller waited for it to become healthy. */
export class ServiceExitedError extends Error {
  override readonly name = 'ServiceExitedError';
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  readonly logFile: string;
  readonly name: string;
  private readonly args: string[];
  private readonly env: Record<string, string>;
  private readonly dir: string;
  private readonly exits: ServiceExits;
  private stopping = false;
  /** Exits of this service that nothing stopped, so waitHealthy sees a crash loop at once. */
  private crashes = 0;
  /**
   * Like a Deployment: started again when it exits by itself. An exit a test announced (killService)
   * is expected; any other is recorded as unexpected, which fails the test that was running and the
   * run, and the service is still started again so the tests after it run on a whole stack.
   */
  restartOnExit = false;

  /** `dir`: where the log, the pid file and the exit bookkeeping go (the e2e output directory). */
  constructor(name: string, args: string[], env: Record<string, string>, dir: string = outputDir) {
    this.name = name;
    this.args = args;
    this.env = env;
    this.dir = dir;
    this.exits = new ServiceExits(dir);
    this.logFile = join(dir, `${name}.log`);
  }

  start(): void {
    this.stopping = false;
    mkdirSync(this.dir, { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, this.args, {
      cwd: repoRoot,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.exited = new Promise((resolve) => child.on('close', () => log.end(() => resolve())));
    writeFileSync(this.pidFile, String(child.pid ?? ''));
    child.on('close', (code, signal) => {
      if (this.stopping) return;
      this.crashes++;
      if (!this.exits.takeExpected(this.name, child.pid ?? -1)) {
        this.exits.recordUnexpected(
          `${this.name} (pid ${child.pid ?? '?'}) exited unexpectedly (${signal ?? `code ${code ?? '?'}`}) at ${new Date().toISOString()}; log ${this.logFile}`,
        );
      }
      if (this.restartOnExit) setTimeout(() => this.start(), 200);
    });
  }

  /** Where the current process id is written (killService reads it). */
  get pidFile(): string {
    return join(this.dir, `${this.name}.pid`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /**
   * Resolves once `url` answers 2xx; fails at once when the process exits (restarted or not), not
   * after the timeout (waitFor would retry past a thrown error).
   */
  async waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
    const crashes = this.crashes;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exitCode = this.child?.exitCode;
      if (this.crashes !== crashes || (exitCode !== null && exitCode !== undefined))
        throw new ServiceExitedError(
          `${this.name} exited (${exitCode ?? 'and was restarted'}) before ${url} answered: see ${this.logFile}`,
        );
      const res = await fetch(url).catch(() => undefined);
      if (res?.ok) return;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${this.name} at ${url} (log ${this.logFile})`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Kills a service on purpose (as a node failure or a rollout would): announces the kill so the exit
 * is not taken for a crash, then signals the current process. Returns the pid that was killed.
 */
export function killService(name: string, signal: NodeJS.Signals = 'SIGTERM', dir: string = outputDir): number {
  const pid = Number(readFileSync(join(dir, `${name}.pid`), 'utf8'));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${join(dir, `${name}.pid`)}`);
  new ServiceExits(dir).expect(name, pid);
  process.kill(pid, signal);
  return pid;
}

export function operatorProcess(kubeconfig: string, port: number, env: Record<string, string> = {}): ServiceProcess {
  return new ServiceProcess('operator', [join(repoRoot, 'apps/operator/dist/main.js')], {
    KUBECONFIG: kubeconfig,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    TOFU_OPERATOR_LEASE_NAMESPACE: 'tofu-operator-system',
    TOFU_OPERATOR_LEASE_NAME: `dashboard-e2e-${process.pid}`,
    TOFU_OPERATOR_LEASE_DURATION_MS: '4000',
    TOFU_OPERATOR_RENEW_DEADLINE_MS: '3000',
    TOFU_OPERATOR_RETRY_PERIOD_MS: '500',
    ...env,
  });
}

export function dashboardProcess(port: number, apiUrl: string): ServiceProcess {
  return new ServiceProcess('dashboard', ['--disable-warning=ExperimentalWarning', join(repoRoot, 'apps/dashboard/server.ts')], {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    TOFU_OPERATOR_API_URL: apiUrl,
    NEXT_TELEMETRY_DISABLED: '1',
  });
}
