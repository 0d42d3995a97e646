/**
 * Between objects and the forms that edit them: a form starts from an object (or empty), and the
 * request body keeps every spec field the form does not show (tolerations, resources, ...) as it is.
 */
import type { ExecutionTemplate, TofuModule, TofuStack } from '@tofu-operator/api-types';
import { parseEnv, type ModuleForm, type StackForm, type TemplateFields } from './validation.ts';

function templateFields(t: ExecutionTemplate | undefined, historyLimit: number | undefined): TemplateFields {
  return {
    image: t?.image ?? '',
    activeDeadlineSeconds: t?.activeDeadlineSeconds === undefined ? '' : String(t.activeDeadlineSeconds),
    historyLimit: historyLimit === undefined ? '' : String(historyLimit),
    // Variables from ConfigMaps or Secrets are not editable here; they are kept (see applyTemplate).
    env: (t?.env ?? [])
      .filter((e) => !e.valueFrom)
      .map((e) => `${e.name}=${e.value ?? ''}`)
      .join('\n'),
  };
}

export function moduleFormFrom(m?: TofuModule): ModuleForm {
  return {
    name: m?.metadata.name ?? '',
    repository: m?.spec.source.repository ?? '',
    revision: m?.spec.source.revision ?? '',
    workdir: m?.spec.source.workdir ?? '',
    ...templateFields(m?.spec.executionTemplate, m?.spec.historyLimit),
  };
}

export function stackFormFrom(s?: TofuStack, module = ''): StackForm {
  return {
    name: s?.metadata.name ?? '',
    module: s?.spec.moduleRef.name ?? module,
    ...templateFields(s?.spec.executionTemplate, s?.spec.historyLimit),
  };
}

function applyTemplate(f: TemplateFields, old: ExecutionTemplate | undefined): ExecutionTemplate | undefined {
  const t: ExecutionTemplate = { ...old };
  if (f.image.trim()) t.image = f.image.trim();
  else delete t.image;
  if (f.activeDeadlineSeconds.trim()) t.activeDeadlineSeconds = Number(f.activeDeadlineSeconds);
  else delete t.activeDeadlineSeconds;
  const fromRefs = (old?.env ?? []).filter((e) => e.valueFrom);
  const env = [...parseEnv(f.env).env, ...fromRefs.filter((r) => !parseEnv(f.env).env.some((e) => e.name === r.name))];
  if (env.length) t.env = env;
  else delete t.env;
  return Object.keys(t).length ? t : undefined;
}

function withOptional<T extends object>(o: T, key: string, value: unknown): T {
  return value === undefined ? o : { ...o, [key]: value };
}

/** The body of POST (new) or PUT (edit) for a module; PUT carries resourceVersion as precondition. */
export function moduleBody(f: ModuleForm, old?: TofuModule): { metadata: Record<string, unknown>; spec: TofuModule['spec'] } {
  const source: TofuModule['spec']['source'] = { ...old?.spec.source, repository: f.repository.trim() };
  if (f.revision.trim()) source.revision = f.revision.trim();
  else delete source.revision;
  if (f.workdir.trim()) source.workdir = f.workdir.trim();
  else delete source.workdir;
  let spec: TofuModule['spec'] = { ...old?.spec, source };
  delete spec.executionTemplate;
  delete spec.historyLimit;
  spec = withOptional(spec, 'executionTemplate', applyTemplate(f, old?.spec.executionTemplate));
  spec = withOptional(spec, 'historyLimit', f.historyLimit.trim() ? Number(f.historyLimit) : undefined);
  return { metadata: old ? { name: old.metadata.name, resourceVersion: old.metadata.resourceVersion } : { name: f.name.trim() }, spec };
}

export function stackBody(f: StackForm, old?: TofuStack): { metadata: Record<string, unknown>; spec: TofuStack['spec'] } {
  let spec: TofuStack['spec'] = { ...old?.spec, moduleRef: { name: f.module } };
  delete spec.executionTemplate;
  delete spec.historyLimit;
  spec = withOptional(spec, 'executionTemplate', applyTemplate(f, old?.spec.executionTemplate));
  spec = withOptional(spec, 'historyLimit', f.historyLimit.trim() ? Number(f.historyLimit) : undefined);
  return { metadata: old ? { name: old.metadata.name, resourceVersion: old.metadata.resourceVersion } : { name: f.name.trim() }, spec };
}
