/**
 * The dashboard's pages as data: which page a path is, its document title (naming the object, its
 * kind and namespace) and what a "not found" answer of the API is about. Pure, so the title, the
 * not-found pages and the screen-reader announcement agree.
 */
import { RESOURCE_KINDS, type ResourceKind } from '@tofu-operator/api-contracts';

/** The product name that ends every document title. */
export const APP_NAME = 'tofu-operator';

/** Names of each kind: the Kubernetes kind, the plural heading and one object in words. */
export const KIND_NAMES: Record<ResourceKind, { kind: string; plural: string; one: string }> = {
  modules: { kind: 'TofuModule', plural: 'Modules', one: 'module' },
  stacks: { kind: 'TofuStack', plural: 'Stacks', one: 'stack' },
  executions: { kind: 'TofuExecution', plural: 'Executions', one: 'execution' },
};

/** A page of the dashboard, parsed from its path. */
export type Route =
  | { page: 'picker' }
  | { page: 'overview'; ns: string }
  | { page: 'queue'; ns: string }
  | { page: 'list'; ns: string; kind: ResourceKind }
  | { page: 'new'; ns: string; kind: ResourceKind }
  | { page: 'object'; ns: string; kind: ResourceKind; name: string }
  | { page: 'edit'; ns: string; kind: ResourceKind; name: string }
  | { page: 'unknown' };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const kindOf = (s: string | undefined): ResourceKind | undefined => RESOURCE_KINDS.find((k) => k === s);

/** Which page `pathname` is (as Next's routes match it); `unknown` for anything else. */
export function routeOf(pathname: string): Route {
  const raw = pathname.split('?')[0]!.split('/').filter(Boolean);
  const seg = raw.map(decode);
  if (seg.some((s) => s === undefined || s === '')) return { page: 'unknown' };
  const [first, ns, k, name, rest, ...more] = seg as string[];
  if (first === undefined) return { page: 'picker' };
  if (first !== 'ns' || ns === undefined || more.length) return { page: 'unknown' };
  if (k === undefined) return { page: 'overview', ns };
  if (k === 'queue') return name === undefined ? { page: 'queue', ns } : { page: 'unknown' };
  const kind = kindOf(k);
  if (!kind) return { page: 'unknown' };
  if (name === undefined) return { page: 'list', ns, kind };
  if (name === 'new' && rest === undefined) return { page: 'new', ns, kind };
  if (rest === undefined) return { page: 'object', ns, kind, name };
  if (rest === 'edit') return { page: 'edit', ns, kind, name };
  return { page: 'unknown' };
}

/** The title of a page, most specific first: "plan-abc · TofuExecution · team-a". */
export function pageTitle(r: Route): string {
  switch (r.page) {
    case 'picker':
      return 'Namespaces';
    case 'overview':
      return `Overview · ${r.ns}`;
    case 'queue':
      return `Queue · ${r.ns}`;
    case 'list':
      return `${KIND_NAMES[r.kind].plural} · ${r.ns}`;
    case 'new':
      return `New ${KIND_NAMES[r.kind].one} · ${r.ns}`;
    case 'object':
      return `${r.name} · ${KIND_NAMES[r.kind].kind} · ${r.ns}`;
    case 'edit':
      return `Edit ${r.name} · ${KIND_NAMES[r.kind].kind} · ${r.ns}`;
    case 'unknown':
      return 'Page not found';
  }
}

/** The document title: the page's, then the product's ("plan-abc · TofuExecution · team-a — tofu-operator"). */
export function documentTitle(title: string): string {
  return `${title} — ${APP_NAME}`;
}

/** The list page of a kind in a namespace. */
export function listHref(ns: string, kind: ResourceKind): string {
  return `/ns/${encodeURIComponent(ns)}/${kind}`;
}

const NOT_FOUND = /^(tofumodules|tofustacks|tofuexecutions)\.tofu-operator\.io "(.+)" not found$/;

/**
 * The object a 404 of the API says is missing (`tofumodules.tofu-operator.io "web" not found`, the
 * Kubernetes wording the API keeps), or undefined for any other 404 (a plan without a stored diff,
 * a run without a log), which is about something else than the object itself.
 */
export function missingObject(message: string): { kind: ResourceKind; name: string } | undefined {
  const m = NOT_FOUND.exec(message);
  if (!m) return undefined;
  const kind = m[1]!.slice('tofu'.length) as ResourceKind;
  return { kind, name: m[2]! };
}
