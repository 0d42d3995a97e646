// The operator and the dashboard as real processes (their built outputs), logs under test-output.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputDir, repoRoot, waitFor } from './cluster.ts';

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  readonly logFile: string;
  readonly name: string;
  private readonly args: string[];
  private readonly env: Record<string, string>;
  private stopping = false;
  /** Like a Deployment: started again when it exits by itself (a test may kill it). */
  restartOnExit = false;

  constructor(name: string, args: string[], env: Record<string, string>) {
    this.name = name;
    this.args = args;
    this.env = env;
    this.logFile = join(outputDir, `${name}.log`);
  }

  start(): void {
    this.stopping = false;
    mkdirSync(outputDir, { recursive: true });
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
    child.on('close', () => {
      if (this.restartOnExit && !this.stopping) setTimeout(() => this.start(), 200);
    });
  }

  /** Where the current process id is written (tests read it to kill the service). */
  get pidFile(): string {
    return join(outputDir, `${this.name}.pid`);
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

  /** Resolves once `url` answers 2xx; fails at once when the process exits. */
  async waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.name} at ${url} (log ${this.logFile})`,
      async () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined)
          throw new Error(`${this.name} exited with ${this.child.exitCode}: see ${this.logFile}`);
        const res = await fetch(url).catch(() => undefined);
        return !!res && res.ok;
      },
      timeoutMs,
      300,
    );
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
