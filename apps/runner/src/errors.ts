import { FailureCategory, type FailureCategoryName } from '@tofu-operator/api-types';

/** A failure the runner reports in its result: a category the operator shows, and a message for the user. */
export class RunnerError extends Error {
  override name = 'RunnerError';

  constructor(
    readonly category: FailureCategoryName,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The input (environment, credentials, workdir) cannot be used. */
export class InvalidInputError extends RunnerError {
  override name = 'InvalidInputError';
  constructor(message: string, options?: ErrorOptions) {
    super(FailureCategory.InvalidInput, message, options);
  }
}

/** The runner was stopped (SIGTERM, SIGINT) before it finished. */
export class StoppedError extends RunnerError {
  override name = 'StoppedError';
  constructor(signal: string) {
    super(FailureCategory.Internal, `the runner was stopped (${signal}) before the run finished`);
  }
}

/** The category and message of any error: a RunnerError's own, Internal for anything else. */
export function describeError(err: unknown): { category: FailureCategoryName; message: string } {
  if (err instanceof RunnerError) return { category: err.category, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { category: FailureCategory.Internal, message: `internal error: ${message}` };
}
