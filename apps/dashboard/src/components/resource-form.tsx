'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { ApiError } from '../hooks/api.ts';
import { useList, useSave } from '../hooks/resources.ts';
import { anchorId, errorSummary } from '../lib/error-summary.ts';
import { moduleBody, moduleFormFrom, stackBody, stackFormFrom } from '../lib/form-model.ts';
import { applyContinuous, CONTINUOUS_PATHS, continuousFormFrom, validateContinuous, type ContinuousForm } from '../lib/continuous-form.ts';
import { applyInputs, inputsFormFrom, validateInputs, type InputsForm } from '../lib/inputs-form.ts';
import { isDirty } from '../lib/unsaved.ts';
import { secretRefsProblem, withSecretRefs, type SecretEnvRef } from '../lib/secret-env.ts';
import {
  mapApiFieldErrors,
  NAME_PATH,
  validateModuleForm,
  validateStackForm,
  type FieldErrors,
  type ModuleForm,
  type StackForm,
} from '../lib/validation.ts';
import { ContinuousEditor } from './continuous-editor.tsx';
import { EnvField } from './env-field.tsx';
import { ErrorSummary } from './error-summary.tsx';
import { Field } from './field.tsx';
import { StackInputsEditor } from './stack-inputs-editor.tsx';
import { useUnsavedGuard } from './unsaved-guard.tsx';
import { VariablesEditor } from './variables-editor.tsx';

/** The inputs fields; the API's `spec.variables.<key>` errors land on the Variables section. */
const INPUT_PATHS = ['spec.variables', 'spec.varsFrom', 'spec.varFiles', 'spec.outputs.secretName'];
/** Drift detection and notifications: on modules and stacks alike. */
const CONTINUOUS_OWNER_PATHS = [
  CONTINUOUS_PATHS.driftInterval,
  CONTINUOUS_PATHS.driftMode,
  CONTINUOUS_PATHS.notifySecretRef,
  CONTINUOUS_PATHS.notifyEvents,
];
const MODULE_PATHS = [
  NAME_PATH,
  'spec.source.repository',
  'spec.source.revision',
  'spec.source.workdir',
  'spec.executionTemplate.image',
  'spec.executionTemplate.activeDeadlineSeconds',
  'spec.executionTemplate.env',
  'spec.historyLimit',
  ...INPUT_PATHS,
  CONTINUOUS_PATHS.pollInterval,
  CONTINUOUS_PATHS.webhookSecretRef,
  ...CONTINUOUS_OWNER_PATHS,
];
const STACK_PATHS = [
  NAME_PATH,
  'spec.moduleRef.name',
  'spec.executionTemplate.image',
  'spec.executionTemplate.activeDeadlineSeconds',
  'spec.executionTemplate.env',
  'spec.historyLimit',
  ...INPUT_PATHS,
  'spec.dependsOn',
  'spec.inputsFrom',
  ...CONTINUOUS_OWNER_PATHS,
];

const idOf = anchorId;

type Props =
  | { ns: string; kind: 'modules'; existing?: TofuModule; defaultModule?: undefined }
  | { ns: string; kind: 'stacks'; existing?: TofuStack; defaultModule?: string };

/**
 * Create or edit form of a module or stack. Checked as the user types (after the first submit) with
 * the CRD schema's rules; the API's own field errors appear next to the same fields.
 */
export function ResourceForm(props: Props) {
  const { ns, kind } = props;
  const isNew = !props.existing;
  const router = useRouter();
  const save = useSave(ns, kind);
  const modules = useList(ns, 'modules');
  const [form, setForm] = useState<ModuleForm | StackForm>(() =>
    props.kind === 'modules' ? moduleFormFrom(props.existing) : stackFormFrom(props.existing, props.defaultModule),
  );
  const [inputs, setInputs] = useState<InputsForm>(() => inputsFormFrom(props.existing));
  const [continuous, setContinuous] = useState<ContinuousForm>(() => continuousFormFrom(props.existing));
  // Env variables switched from a literal to a Secret's key (see EnvField).
  const [envRefs, setEnvRefs] = useState<SecretEnvRef[]>([]);
  const [submitted, setSubmitted] = useState(false);
  const [apiErrors, setApiErrors] = useState<FieldErrors>({});
  // Bumped by every failed submit: the error summary takes focus.
  const [failedSubmits, setFailedSubmits] = useState(0);
  const generalError = useRef<HTMLDivElement>(null);
  // What the form started with: leaving with anything else asks first (links, back, tab close).
  const [initial] = useState(() => ({ form, inputs, continuous, envRefs }));
  const guard = useUnsavedGuard(!save.isSuccess && isDirty(initial, { form, inputs, continuous, envRefs }));

  const validate = (f: ModuleForm | StackForm): FieldErrors => ({
    ...(kind === 'modules' ? validateModuleForm(f as ModuleForm, isNew) : validateStackForm(f as StackForm, isNew)),
    ...validateInputs(inputs, kind, props.existing?.metadata.name ?? f.name.trim()),
    ...validateContinuous(continuous, kind),
    ...(secretRefsProblem(envRefs) ? { 'spec.executionTemplate.env': secretRefsProblem(envRefs) as string } : {}),
  });
  const updateContinuous = (change: (f: ContinuousForm) => ContinuousForm) => {
    setContinuous(change);
    setApiErrors(({ ...rest }) => {
      for (const p of Object.keys(rest)) if (Object.values(CONTINUOUS_PATHS).some((c) => p.startsWith(c))) delete rest[p];
      return rest;
    });
  };
  const updateInputs = (change: (f: InputsForm) => InputsForm) => {
    setInputs(change);
    // The API's errors of the inputs go away when the inputs change.
    setApiErrors(({ ...rest }) => {
      for (const p of Object.keys(rest))
        if (INPUT_PATHS.some((i) => p.startsWith(i)) || p.startsWith('spec.dependsOn') || p.startsWith('spec.inputsFrom')) delete rest[p];
      return rest;
    });
  };
  const clientErrors = submitted ? validate(form) : {};
  const errors: FieldErrors = { ...apiErrors, ...clientErrors };

  const set = (key: string) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: e.target.value }));
    // An API error of a field goes away when the field changes.
    setApiErrors(({ ...rest }) => {
      for (const p of Object.keys(rest)) if (p.endsWith(`.${key}`) || (key === 'name' && p === NAME_PATH)) delete rest[p];
      return rest;
    });
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(true);
    const found = validate(form);
    if (Object.keys(found).length) {
      setFailedSubmits((n) => n + 1);
      return;
    }
    const base = props.kind === 'modules' ? moduleBody(form as ModuleForm, props.existing) : stackBody(form as StackForm, props.existing);
    if (envRefs.length)
      base.spec.executionTemplate = { ...base.spec.executionTemplate, env: withSecretRefs(base.spec.executionTemplate?.env, envRefs) };
    const body = { ...base, spec: applyContinuous(applyInputs(base.spec, inputs, kind), continuous, kind) };
    const name = props.existing?.metadata.name ?? form.name.trim();
    save.mutate(
      { name, isNew, body },
      {
        // Saved: no question; the same-URL entry the guard pushed is replaced, not kept behind.
        onSuccess: () =>
          guard.leave((sentinel) => {
            const to = `/ns/${ns}/${kind}/${name}`;
            if (sentinel) router.replace(to);
            else router.push(to);
          }),
        onError: (err) => {
          if (err instanceof ApiError && err.body.fields?.length) {
            setApiErrors(mapApiFieldErrors(err.body.fields, kind === 'modules' ? MODULE_PATHS : STACK_PATHS));
          } else if (err instanceof ApiError && err.body.reason === 'AlreadyExists') {
            setApiErrors({ [NAME_PATH]: err.message });
          } else setApiErrors({});
          setFailedSubmits((n) => n + 1);
        },
      },
    );
  };

  const input = (
    path: string,
    key: keyof ModuleForm | keyof StackForm,
    label: string,
    hint?: string,
    extra: Record<string, unknown> = {},
  ) => (
    <Field id={idOf(path)} label={label} hint={hint} error={errors[path]}>
      {(p) => <input {...p} name={key} value={(form as unknown as Record<string, string>)[key] ?? ''} onChange={set(key)} {...extra} />}
    </Field>
  );

  const general = errors[''];
  const summary = errorSummary(errors, kind === 'modules' ? MODULE_PATHS : STACK_PATHS);
  const otherError =
    save.error && !(save.error instanceof ApiError && (save.error.body.fields?.length || save.error.body.reason === 'AlreadyExists'));
  // A failure no field shows (a 403, a 500) takes focus itself when there is no summary to focus.
  const hasSummary = summary.length > 0;
  useEffect(() => {
    if (failedSubmits > 0 && !hasSummary) generalError.current?.focus();
    // Only on a new failed submit, not when the last field error is fixed by typing.
  }, [failedSubmits]);

  return (
    <>
      {guard.dialog}
      <form
        className="form"
        onSubmit={onSubmit}
        noValidate
        aria-label={`${isNew ? 'Create' : 'Edit'} ${kind === 'modules' ? 'module' : 'stack'}`}
      >
        <ErrorSummary entries={summary} focusKey={summary.length ? failedSubmits : 0} />
        {(general || otherError) && (
          <div className="form-error" role="alert" data-testid="form-error" ref={generalError} tabIndex={-1}>
            {general ?? save.error?.message}
          </div>
        )}
        {isNew
          ? input(NAME_PATH, 'name', 'Name', 'Lowercase letters, digits, "-" and "."', { autoComplete: 'off', autoFocus: true })
          : null}
        {kind === 'modules' ? (
          <fieldset>
            <legend>Source</legend>
            {input('spec.source.repository', 'repository', 'Git repository', 'https://, ssh://, git:// or file:// URL, or user@host:path', {
              autoComplete: 'off',
              spellCheck: false,
            })}
            {input('spec.source.revision', 'revision', 'Revision', 'Branch, tag or commit; empty: the default branch')}
            {input('spec.source.workdir', 'workdir', 'Working directory', 'Relative to the repository root; empty: "."')}
          </fieldset>
        ) : (
          <fieldset>
            <legend>Module</legend>
            <Field
              id={idOf('spec.moduleRef.name')}
              label="Module"
              error={errors['spec.moduleRef.name']}
              hint="A module in the same namespace"
            >
              {(p) => (
                <select {...p} name="module" value={(form as StackForm).module} onChange={set('module')}>
                  <option value="">Choose a module…</option>
                  {(modules.data ?? []).map((m) => (
                    <option key={m.metadata.name} value={m.metadata.name}>
                      {m.metadata.name}
                    </option>
                  ))}
                  {(form as StackForm).module && !modules.data?.some((m) => m.metadata.name === (form as StackForm).module) && (
                    <option value={(form as StackForm).module}>{(form as StackForm).module} (not found)</option>
                  )}
                </select>
              )}
            </Field>
          </fieldset>
        )}
        <VariablesEditor
          ns={ns}
          form={inputs}
          errors={errors}
          update={updateInputs}
          inherited={
            kind === 'stacks'
              ? Object.keys(modules.data?.find((m) => m.metadata.name === (form as StackForm).module)?.spec.variables ?? {}).sort()
              : []
          }
        />
        {kind === 'stacks' && (
          <StackInputsEditor
            ns={ns}
            self={props.existing?.metadata.name ?? form.name.trim()}
            form={inputs}
            errors={errors}
            update={updateInputs}
          />
        )}
        <ContinuousEditor ns={ns} kind={kind} form={continuous} errors={errors} update={updateContinuous} />
        <fieldset>
          <legend>{kind === 'stacks' ? "Runner (overrides the module's)" : 'Runner'}</legend>
          {input('spec.executionTemplate.image', 'image', 'Runner image', "Empty: the operator's default runner image")}
          {input(
            'spec.executionTemplate.activeDeadlineSeconds',
            'activeDeadlineSeconds',
            'Deadline (seconds)',
            '1 to 604800; empty: 3600',
            {
              inputMode: 'numeric',
            },
          )}
          <EnvField
            ns={ns}
            id={idOf('spec.executionTemplate.env')}
            text={form.env}
            setText={(value) => set('env')({ target: { value } })}
            refs={envRefs}
            setRefs={setEnvRefs}
            error={errors['spec.executionTemplate.env']}
          />
          {input('spec.historyLimit', 'historyLimit', 'Executions kept', '1 to 1000; empty: 10', { inputMode: 'numeric' })}
        </fieldset>
        <div className="actions">
          <button type="button" className="btn" onClick={() => guard.leave((sentinel) => window.history.go(sentinel ? -2 : -1))}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : isNew ? 'Create' : 'Save'}
          </button>
        </div>
      </form>
    </>
  );
}
