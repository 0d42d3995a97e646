// The parts of the CRDs about a run's inputs and outputs (issue 12): variables, varsFrom, varFiles,
// outputs, a stack's dependencies, and what modules, stacks and executions report about them.
import { celValidation, FieldRules } from './field-rules.js';
import { arr, obj, objectName, str, type JSONSchemaProps } from './schema-helpers.js';

/** How many variables one object may set in spec.variables. */
export const MAX_VARIABLES = 256;
/** How many bytes of non-sensitive outputs status.outputs holds at most; larger values are left out (and named). */
export const MAX_STATUS_OUTPUTS_BYTES = 16 * 1024;

const variableName = (description: string): JSONSchemaProps =>
  str(description, { minLength: 1, maxLength: 128, 'x-kubernetes-validations': [celValidation(FieldRules.variableName)] });

const relativePath = (description: string): JSONSchemaProps =>
  str(description, {
    minLength: 1,
    maxLength: 1024,
    'x-kubernetes-validations': [celValidation(FieldRules.workdirRelative), celValidation(FieldRules.workdirNoDotDot)],
  });

/** spec.variables, spec.varsFrom, spec.varFiles and spec.outputs of modules and stacks. */
export function ownerInputFields(kind: 'module' | 'stack'): Record<string, JSONSchemaProps> {
  const order =
    kind === 'stack'
      ? "A stack's values win over its module's: module varsFrom, module variables, stack varsFrom, stack variables, then inputsFrom."
      : 'Order: varFiles, varsFrom in list order, then variables (later wins); a stack of this module adds its own after these.';
  return {
    variables: {
      type: 'object',
      description: `Values of the module's input variables, by name: any JSON value (string, number, bool, list, object). ${order}`,
      maxProperties: MAX_VARIABLES,
      additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true },
    },
    varsFrom: arr(
      `ConfigMaps and Secrets in the same namespace whose every key is a variable: a key ending in ".json" holds a JSON value (the variable is the key without ".json"), a key ending in ".tfvars" holds tofu's own tfvars text, any other key a string. ${order} Values from Secrets are masked in every log and never shown.`,
      obj(
        'A ConfigMap or Secret of variables.',
        {
          kind: str('What the object is.', { enum: ['ConfigMap', 'Secret'], 'x-ts-type': 'VarsFromKind' }),
          name: objectName('Name of the ConfigMap or Secret in the same namespace.'),
          optional: { type: 'boolean', description: 'Whether the object may be missing (then it adds nothing). Default false.' },
        },
        { required: ['kind', 'name'], 'x-ts-type': 'VarsFromSource' },
      ),
      { maxItems: 32, 'x-kubernetes-list-type': 'atomic' },
    ),
    varFiles: arr(
      'tfvars files in the repository, relative to the workdir, passed to tofu in this order before every other variable source.',
      relativePath('A tfvars (or tfvars.json) file, relative to the workdir.'),
      { maxItems: 32, 'x-kubernetes-list-type': 'atomic' },
    ),
    outputs: obj(
      `Where the ${kind}'s outputs go after every successful apply. Non-sensitive outputs are also in status.outputs.`,
      {
        secretName: objectName(
          `A Secret in the same namespace, owned by this ${kind}, that receives every output (sensitive ones included) as a JSON value under the output's name.`,
        ),
      },
      { 'x-ts-type': 'OutputsSpec' },
    ),
  };
}

/**
 * Whether a spec.variables key is a variable name. The API server cannot check it: a CEL rule cannot
 * see a map whose values are free-form, so the operator refuses a bad key (Ready False, InvalidSpec
 * naming spec.variables.<key>) and the REST API and dashboard check it before sending.
 */
export function isVariableName(key: string): boolean {
  return key.length <= 128 && FieldRules.variableName.test(key);
}

/** spec.dependsOn and spec.inputsFrom of a stack. */
export const stackDependencyFields: Record<string, JSONSchemaProps> = {
  dependsOn: arr(
    'Stacks in the same namespace that must have applied successfully before this stack plans (condition DependenciesReady). A cycle is refused with a condition naming it.',
    obj(
      'A stack this one depends on.',
      { name: objectName('Name of the TofuStack.') },
      { required: ['name'], 'x-ts-type': 'LocalObjectReference' },
    ),
    { maxItems: 32, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
  ),
  inputsFrom: arr(
    "Variables taken from other stacks' outputs (the latest successful apply's). Each named stack is a dependency too; when its outputs change, this stack plans again.",
    obj(
      'One output of another stack as one variable of this one.',
      {
        stackRef: obj(
          'The stack whose output is read.',
          { name: objectName('Name of the TofuStack.') },
          {
            required: ['name'],
            'x-ts-type': 'LocalObjectReference',
          },
        ),
        output: variableName('Name of the output.'),
        variable: variableName('Name of the variable it sets.'),
      },
      { required: ['stackRef', 'output', 'variable'], 'x-ts-type': 'StackOutputInput' },
    ),
    { maxItems: 64, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['variable'] },
  ),
};

/** Where one input of a run came from, without its value. */
const inputSourceSchema: JSONSchemaProps = obj(
  'One source of variables, in the order applied.',
  {
    kind: str(
      "ConfigMap, Secret, TofuModule (its spec.variables), TofuStack (its spec.variables, or another stack's outputs), or File (a varFile).",
      {
        enum: ['ConfigMap', 'Secret', 'TofuModule', 'TofuStack', 'File'],
      },
    ),
    name: str('Name of the object, or the path of the file.', { maxLength: 1024 }),
    keys: arr('The variables (or keys) it set.', str('A variable name or key.', { maxLength: 253 }), { maxItems: 256 }),
    missing: { type: 'boolean', description: 'An optional object that does not exist (it set nothing).' },
  },
  { required: ['kind', 'name'], 'x-ts-type': 'InputSource' },
);

/** status.inputs of an execution: where its variables came from (never their values). */
export const executionInputStatus: Record<string, JSONSchemaProps> = {
  inputs: obj(
    'The variables the run was given: their sources in order and a digest of the values. No value is ever shown.',
    {
      digest: str('sha256 of the resolved variables (values and order).', { maxLength: 71 }),
      secretName: str('The Secret (owned by this execution) the runner reads its variables from.', { maxLength: 253 }),
      sources: arr('Sources in the order applied.', inputSourceSchema, { maxItems: 128 }),
    },
    { 'x-ts-type': 'ExecutionInputs' },
  ),
};

/** status fields of modules and stacks about inputs and outputs. */
export const ownerInputStatus: Record<string, JSONSchemaProps> = {
  inputsDigest: str('Digest of the resolved variables the last plan was created for; a change plans again.', { maxLength: 71 }),
  outputs: {
    type: 'object',
    description: `Non-sensitive outputs of the latest successful apply, by name (at most ${MAX_STATUS_OUTPUTS_BYTES} bytes; larger values are left out and listed in outputsInfo.omitted). Sensitive outputs are never here.`,
    additionalProperties: { 'x-kubernetes-preserve-unknown-fields': true },
  },
  outputsInfo: obj(
    'About the outputs of the latest successful apply.',
    {
      execution: str('The apply execution that produced them.', { maxLength: 253 }),
      updatedAt: str('When they were stored.', { format: 'date-time' }),
      digest: str('Digest of all outputs (sensitive ones included): dependent stacks plan again when it changes.', { maxLength: 71 }),
      names: arr('Every output name.', str('An output name.', { maxLength: 128 }), { maxItems: 1024 }),
      sensitive: arr(
        'Names of the sensitive outputs (their values are only in the outputs Secret).',
        str('An output name.', { maxLength: 128 }),
        {
          maxItems: 1024,
        },
      ),
      omitted: arr('Non-sensitive outputs too large for status.', str('An output name.', { maxLength: 128 }), { maxItems: 1024 }),
      secretName: str('The Secret that holds every output, when spec.outputs.secretName is set.', { maxLength: 253 }),
      secretProblem: str(
        'Why the spec.outputs.secretName Secret was not written, e.g. a Secret of that name that belongs to someone else (left untouched).',
        { maxLength: 1024 },
      ),
    },
    { 'x-ts-type': 'OutputsInfo' },
  ),
};
