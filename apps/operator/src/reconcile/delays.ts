// The reconcilers' waits, in one place: what each is for and why it has its length.

/**
 * How soon to look again while the informer cache catches up with the operator's own write (a
 * status it wrote, a Job it created or deleted): the cache is usually tens of milliseconds behind.
 */
export const CACHE_LAG_MS = 200;

/**
 * How often an object whose module or stack is missing looks again. Watch events usually bring it
 * back first (a module appearing wakes its stacks; an owner appearing adopts its executions), but a
 * stack's executions are not woken by the stack's module: for them this is the delay a user sees.
 */
export const DEPENDENCY_RETRY_MS = 15_000;

/** How often an unfinished execution is looked at even without events (a safety net, not the driver). */
export const RUNNING_RESYNC_MS = 60_000;

/**
 * After creating a Job, the first status write waits this long (or for the Pod's first events), so
 * "Job created" and "Pod created/scheduled" become one write instead of two.
 */
export const FIRST_STATUS_DELAY_MS = 500;

/**
 * How long the Job and Pod changes of a starting run (Job created, Pod created, scheduled, container
 * created) are collected into one reconcile of their execution. The change that decides the run (a
 * finishing condition, the runner terminated, the Job deleted) goes at once.
 */
export const RUN_EVENTS_COALESCE_MS = 250;

/**
 * How long the changes of an execution within one phase are collected into one status write of its
 * module or stack; a new or finished execution is reflected at once.
 */
export const OWNER_STATUS_COALESCE_MS = 1000;
