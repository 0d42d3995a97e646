export * from './constants.js';
export * from './object-meta.js';
export * from './generated/crd-types.js';
export * from './resources.js';
export * from './crds/schema-helpers.js';
export {
  crdDefinitions,
  toCustomResourceDefinition,
  tofuModuleCrd,
  tofuStackCrd,
  tofuExecutionCrd,
  tofuLogChunkCrd,
} from './crds/definitions.js';
export type { CrdDefinition } from './crds/definitions.js';
export * from './runner-result.js';
export * from './crds/validate.js';
export * from './crds/field-rules.js';
export * from './runner-env.js';
export * from './runner-input.js';
export * from './runner-input-apply.js';
export * from './runner-input-extras.js';
export * from './crds/input-schemas.js';
export * from './plan-diff.js';
export * from './crds/reconciliation-schemas.js';
export * from './duration.js';
export * from './tofu-variables/module-variables.js';
export type { VariableDeclaration } from './tofu-variables/hcl-scan.js';
export { parseType, typeProblems, type TofuType } from './tofu-variables/type-check.js';
export { refusedCredentials, refusedHostKey } from './git-stderr.js';
