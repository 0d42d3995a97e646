/** API group of every tofu-operator resource. */
export const API_GROUP = 'tofu-operator.io';
/** The one served (and stored) version. */
export const API_VERSION = 'v1alpha1';
/** apiVersion field value of our objects. */
export const API_GROUP_VERSION = 'tofu-operator.io/v1alpha1' as const;

/** Labels the operator puts on the objects it creates (app.kubernetes.io/* per the recommended labels). */
export const Labels = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  partOf: 'app.kubernetes.io/part-of',
  /** Name of the TofuModule an execution (and its Job and Pod) belongs to. */
  module: 'tofu-operator.io/module',
  /** Name of the TofuStack an execution (and its Job and Pod) belongs to. */
  stack: 'tofu-operator.io/stack',
  /** Name of the TofuExecution a Job and Pod belong to. */
  execution: 'tofu-operator.io/execution',
  /** "true" on the last TofuLogChunk of a finished execution's log. */
  logFinal: 'tofu-operator.io/log-final',
  /** On the Secrets of the runner API: the kind of owner ("module" or "stack") of a state or plan. */
  ownerKind: 'tofu-operator.io/owner-kind',
  /** On the Secrets of the runner API: what the Secret holds ("state", "plan", "plan-diff", "runner-key"). */
  artifact: 'tofu-operator.io/artifact',
} as const;

/** Value of app.kubernetes.io/managed-by on everything the operator creates. */
export const MANAGED_BY = 'tofu-operator';

/** Annotations the operator reads or writes. */
export const Annotations = {
  /** Set (to any new value, by convention a timestamp) on a module or stack to request a new plan. */
  requestedAt: 'tofu-operator.io/requested-at',
  /**
   * Set (to any new value, by convention a timestamp) on a module or stack to request a destroy plan
   * (`tofu plan -destroy`), approved and applied like any plan.
   */
  destroyRequestedAt: 'tofu-operator.io/destroy-requested-at',
  /** On an execution: what made the operator create it (see the owner reconcilers). */
  trigger: 'tofu-operator.io/trigger',
  /**
   * On an execution: when it was created or adopted, with milliseconds (creationTimestamp has whole
   * seconds only), to order an owner's executions.
   */
  createdAt: 'tofu-operator.io/created-at',
  /** On an apply or destroy execution: who approved its plan (the REST caller; absent for autoApply). */
  approvedBy: 'tofu-operator.io/approved-by',
  /** On a plan execution, set with kubectl to its status.plan.digest: approve the plan (admission checks `approve`). */
  approve: 'tofu-operator.io/approve',
  /** On a plan execution, set with kubectl to its status.plan.digest: reject the plan (admission checks `approve`). */
  reject: 'tofu-operator.io/reject',
  /**
   * On an unfinished execution, set (by convention to a timestamp) by POST …/executions/{name}/cancel:
   * the operator deletes its Job and records it Failed with failureCategory Cancelled.
   */
  cancelRequestedAt: 'tofu-operator.io/cancel-requested-at',
  /**
   * Set (to any new value, by convention a timestamp) on a module or stack with driftDetection, by
   * POST …/drift-check or kubectl: check for drift now instead of at the next interval.
   */
  driftCheckRequestedAt: 'tofu-operator.io/drift-check-requested-at',
  /**
   * On a plan still waiting in the run queue (no Job yet), set by its owner to the name of the newer
   * plan that replaces it (its commit or spec moved on): the operator records it Failed with
   * failureCategory Superseded and never runs it.
   */
  supersededBy: 'tofu-operator.io/superseded-by',
  /** On a Namespace: how many runs of that namespace may go on at once (below MAX_CONCURRENT_RUNS). */
  maxConcurrentRuns: 'tofu-operator.io/max-concurrent-runs',
} as const;

/** Condition types used in status.conditions. */
export const ConditionType = {
  /** The object's last run succeeded (modules, stacks) or the run succeeded (executions). */
  Ready: 'Ready',
  /** Work is in progress: a run is queued or running. */
  Reconciling: 'Reconciling',
  /** A plan with changes waits for approval (on the plan execution and on its module or stack). */
  AwaitingApproval: 'AwaitingApproval',
  /** Modules and stacks with driftDetection: whether the latest drift check found changes made outside OpenTofu. */
  Drifted: 'Drifted',
  /** Modules and stacks: whether the latest poll of the source succeeded (False with the reason while it fails and backs off). */
  SourceReady: 'SourceReady',
  /** Executions: True while the run waits for a free slot (reason Queued, the message gives its place). */
  Queued: 'Queued',
} as const;

/** Reasons of the Drifted, SourceReady and Queued conditions. */
export const ReconciliationReason = {
  /** Drifted True: the latest drift plan has changes (the message counts them and names resources). */
  DriftDetected: 'DriftDetected',
  /** Drifted False: the latest drift plan has no changes (the message gives the time of the check). */
  NoDrift: 'NoDrift',
  /** Drifted Unknown: no check has finished yet, or the latest drift plan failed. */
  DriftCheckPending: 'DriftCheckPending',
  DriftCheckFailed: 'DriftCheckFailed',
  /** SourceReady True: the latest poll resolved the revision. */
  SourceResolved: 'SourceResolved',
  /** SourceReady False: the repository could not be reached (the operator backs off; the last good plan stays). */
  SourceUnreachable: 'SourceUnreachable',
  /** SourceReady False: the git server refused the credentials. */
  SourceAuthFailed: 'SourceAuthFailed',
  /** SourceReady False: the revision names no branch or tag of the repository. */
  RevisionNotFound: 'RevisionNotFound',
  /** Queued True: the run waits for a free slot. */
  Queued: 'Queued',
  /** A queued plan whose owner has a newer trigger (e.g. its commit moved on) is not run. */
  Superseded: 'Superseded',
} as const;

/** Reasons of conditions, PascalCase per the API conventions. */
export const Reason = {
  /** The execution has been created and waits for its Job or Pod. */
  Pending: 'Pending',
  /** The runner pod cannot be scheduled (see the message for the scheduler's words). */
  Unschedulable: 'Unschedulable',
  /** The runner container is running. */
  Running: 'Running',
  /** The plan finished successfully. */
  Succeeded: 'Succeeded',
  /** The runner reported a failure (the message says which). */
  RunnerFailed: 'RunnerFailed',
  /** The run exceeded activeDeadlineSeconds. */
  DeadlineExceeded: 'DeadlineExceeded',
  /** The runner container was killed for exceeding its memory limit. */
  OOMKilled: 'OOMKilled',
  /** The runner image cannot be used: not present with pull policy Never, an invalid name, or a pull refused for good. */
  ImagePullFailed: 'ImagePullFailed',
  /** Pulling the runner image failed for a reason that may pass (network, registry); the kubelet retries until the deadline. */
  ImagePullRetrying: 'ImagePullRetrying',
  /** The Job was deleted before the run finished. */
  JobDeleted: 'JobDeleted',
  /** A user cancelled the run (tofu-operator.io/cancel-requested-at): its Job was deleted. */
  Cancelled: 'Cancelled',
  /** The Job failed for a reason not covered above. */
  JobFailed: 'JobFailed',
  /** The stored spec does not match the CRD schema (stored before a stricter schema); fix the spec. */
  InvalidSpec: 'InvalidSpec',
  /** A stack references a module that does not exist. */
  ModuleNotFound: 'ModuleNotFound',
  /** A run of this module or stack is in progress. */
  ExecutionRunning: 'ExecutionRunning',
  /** A change arrived while a run was in progress; a new run starts when it ends. */
  WaitingForRunningExecution: 'WaitingForRunningExecution',
  /** The last run of this module or stack succeeded. */
  ExecutionSucceeded: 'ExecutionSucceeded',
  /** The last run of this module or stack failed. */
  ExecutionFailed: 'ExecutionFailed',
  /** An apply's spec.planRef names no plan execution in its namespace. */
  PlanNotFound: 'PlanNotFound',
  /** The plan's digest is not the one approved (spec.planRef.digest), or not the one the operator stored. */
  PlanDigestMismatch: 'PlanDigestMismatch',
  /** The plan an apply names has not succeeded (it runs, failed, or is not a plan). */
  PlanNotSucceeded: 'PlanNotSucceeded',
  /** The plan an apply names changes nothing: a plan without changes is never applied. */
  PlanHasNoChanges: 'PlanHasNoChanges',
  /** The plan an apply names belongs to another module or stack than the apply. */
  PlanOfAnotherOwner: 'PlanOfAnotherOwner',
  /** The plan an apply names is not its owner's newest plan (or was marked Superseded). */
  PlanSuperseded: 'PlanSuperseded',
  /** The plan an apply names was rejected. */
  PlanRejected: 'PlanRejected',
  /** Another apply execution carries out the same plan. */
  PlanAlreadyApplied: 'PlanAlreadyApplied',
  /** The plan is a drift check of driftDetection mode Detect: it reports drift and is never applied. */
  DriftCheckNotApplied: 'DriftCheckNotApplied',
} as const;
export type ReasonName = (typeof Reason)[keyof typeof Reason];

/** Reasons of the AwaitingApproval condition (and of an owner's deletion), PascalCase per the API conventions. */
export const ApprovalReason = {
  /** The newest plan has changes and waits for approval; the message names it and its digest. */
  PlanWaiting: 'PlanWaiting',
  /** No plan waits: none has changes, or the newest plan was decided. */
  NoPlanWaiting: 'NoPlanWaiting',
  /** The plan was approved: an apply (or destroy) execution carries it out. */
  Approved: 'Approved',
  /** The plan was rejected; it is never applied. */
  Rejected: 'Rejected',
  /** A newer plan of the same owner replaced this one; only the newest plan can be approved. */
  Superseded: 'Superseded',
  /** The plan changes nothing, so there is nothing to approve (a plan without changes is never applied). */
  NoChanges: 'NoChanges',
  /** The module or stack is being deleted with deletionPolicy Destroy: its destroy is planned, waits or runs. */
  Destroying: 'Destroying',
  /** The destroy of a module or stack being deleted failed; see the message for the way out. */
  DestroyFailed: 'DestroyFailed',
} as const;

/** Finalizers the operator puts on its objects. */
export const Finalizers = {
  /** On a module or stack with deletionPolicy Destroy: its resources are destroyed and its state removed before it goes. */
  destroy: 'tofu-operator.io/destroy',
} as const;

/**
 * The smallest executionTemplate.ttlSecondsAfterFinished: the Job controller deletes a finished Job
 * after this long, and the operator must have read the Job and the pod's result before then (with 0
 * a succeeded run was recorded Failed/JobDeleted). Refused below this at admission; an object stored
 * earlier with less gets Jobs with this value.
 */
export const MIN_TTL_SECONDS_AFTER_FINISHED = 60;

/** Defaults of optional spec fields, applied by the operator. */
export const Defaults = {
  historyLimit: 10,
  activeDeadlineSeconds: 3600,
  workdir: '.',
} as const;
