// What global-setup started, for the tests (they run in other processes).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputDir } from './cluster.ts';

export interface E2eEnv {
  /** The dashboard's URL. */
  baseURL: string;
  /** The operator's API (for checks the browser cannot make, e.g. forcing a forbidden plan). */
  apiURL: string;
  namespace: string;
  /** May do everything to modules, stacks and executions in `namespace`. */
  editorToken: string;
  /** May only get, list and watch. */
  viewerToken: string;
  operatorPid: number;
  dashboardPid: number;
}

const file = join(outputDir, 'env.json');

export function writeEnv(env: E2eEnv): void {
  writeFileSync(file, JSON.stringify(env), { mode: 0o600 });
}

export function readEnv(): E2eEnv {
  return JSON.parse(readFileSync(file, 'utf8')) as E2eEnv;
}
