/**
 * The per-resource diff of a saved plan, with sensitive values masked: what the runner builds from
 * `tofu show -json` and stores beside the plan (`PUT /plans/{namespace}/{execution}/diff` of the
 * runner API, JSON), and what a reviewer reads before approving. It holds no variable values and no
 * prior state: only the changes, with every value tofu marks sensitive replaced by SENSITIVE_MASK.
 */
export interface PlanDiff {
  /** Version of this format. */
  v: 1;
  /** The resources whose planned action is not "no-op", in tofu's order. */
  resources: ResourceDiff[];
  /** The root module outputs whose planned action is not "no-op". */
  outputs: OutputDiff[];
}

/** What replaces a sensitive value (as tofu prints it). */
export const SENSITIVE_MASK = '(sensitive value)';
/** What stands for a value known only after apply (as tofu prints it). */
export const UNKNOWN_VALUE = '(known after apply)';

/** The planned change of one resource instance. */
export interface ResourceDiff {
  /** Its address, e.g. `module.net.aws_vpc.main[0]`. */
  address: string;
  /** "managed" or "data". */
  mode?: string;
  type?: string;
  name?: string;
  /** The provider's address, e.g. `registry.opentofu.org/hashicorp/aws`. */
  provider?: string;
  /**
   * tofu's actions: ["create"], ["update"], ["delete"], ["read"], ["forget"], or a replacement
   * ["delete", "create"] / ["create", "delete"] (create_before_destroy).
   */
  actions: string[];
  /** Why tofu replaces, deletes or reads it, e.g. "replace_because_cannot_update". */
  actionReason?: string;
  /** The address it moves from (a `moved` block). */
  previousAddress?: string;
  /** The id it is imported with (an `import` block). */
  importingId?: string;
  /** The deposed object key, for a deposed object. */
  deposed?: string;
  /**
   * The top-level attributes that change: every attribute with a value for a create (no `before`) or
   * a delete (no `after`), the differing ones otherwise.
   */
  attributes: AttributeDiff[];
  /** How many attributes stay the same (not listed). */
  unchanged: number;
}

/** One top-level attribute of a resource change. */
export interface AttributeDiff {
  name: string;
  /** The value before; sensitive parts are SENSITIVE_MASK. Absent for a create. */
  before?: unknown;
  /** The value after; sensitive parts are SENSITIVE_MASK, unknown parts UNKNOWN_VALUE. Absent for a delete. */
  after?: unknown;
  /** The attribute is sensitive as a whole (before or after). */
  sensitive?: true;
  /** The attribute's value is known only after apply. */
  unknown?: true;
  /** Changing it forces the resource to be replaced. */
  forcesReplacement?: true;
}

/** The planned change of one root module output. */
export interface OutputDiff {
  name: string;
  actions: string[];
  before?: unknown;
  after?: unknown;
  sensitive?: true;
  unknown?: true;
}
