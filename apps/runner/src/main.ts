// The runner: the program of the runner container of every Job the operator creates. It reads the
// run from TOFU_OPERATOR_* variables, plans, writes the result (a RunnerResult as JSON) to the
// termination message file and exits 0 on success, 1 on failure.
import type { RunnerResult } from '@tofu-operator/api-types';
import { describeError, StoppedError } from './errors.js';
import { encodeResult, failureResult, writeTerminationMessage } from './result.js';
import { runFromEnv, terminationLogPath } from './runner.js';

// A closed stdout or stderr (EPIPE) must not end the run before its result is written.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// As PID 1 of the container the runner gets no default signal handling: stop the running child and
// report the stop instead of being killed at the end of the grace period.
const controller = new AbortController();
for (const name of ['SIGTERM', 'SIGINT'] as const) {
  process.once(name, () => {
    err(`==> received ${name}, stopping`);
    controller.abort(new StoppedError(name));
  });
}

let result: RunnerResult;
try {
  result = await runFromEnv(process.env, { out, err, signal: controller.signal });
} catch (error) {
  // runFromEnv reports failures as results; this is a bug, still reported the same way.
  const { category, message } = describeError(error);
  err(`==> failed (${category}): ${message}`);
  result = failureResult(category, message);
}
await writeTerminationMessage(terminationLogPath(process.env), encodeResult(result), err);
process.exitCode = result.ok ? 0 : 1;
