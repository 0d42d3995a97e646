/**
 * Where an object page sits (its breadcrumb trail) and where the namespace switch goes: the same
 * section of the other namespace, never back to its overview. Pure, so both are unit-tested.
 */
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { KIND_NAMES, listHref, routeOf } from './routes.ts';

/** One step of a breadcrumb trail; the last one is the page itself (no link). */
export interface Crumb {
  label: string;
  href?: string;
}

/** The module or stack an execution belongs to, when it has one. */
export interface CrumbOwner {
  kind: 'modules' | 'stacks';
  name: string;
}

const objectHref = (ns: string, kind: ResourceKind, name: string) => `${listHref(ns, kind)}/${encodeURIComponent(name)}`;

/**
 * The trail of an object page: namespace › Modules › web; an execution goes through its owner
 * (namespace › Stacks › app › app-plan-x), one made by hand through the executions list.
 */
export function breadcrumbTrail(ns: string, kind: ResourceKind, name: string, owner?: CrumbOwner): Crumb[] {
  const home: Crumb = { label: ns, href: `/ns/${encodeURIComponent(ns)}` };
  if (kind === 'executions' && owner)
    return [
      home,
      { label: KIND_NAMES[owner.kind].plural, href: listHref(ns, owner.kind) },
      { label: owner.name, href: objectHref(ns, owner.kind, owner.name) },
      { label: name },
    ];
  return [home, { label: KIND_NAMES[kind].plural, href: listHref(ns, kind) }, { label: name }];
}

/**
 * Where switching from the page at `path` (with its `search`) to namespace `to` goes: the same
 * section there. A list keeps its search, sort and filters; an object page, its form or edit page
 * opens the list of its kind (the object itself is of the other namespace); the queue stays the
 * queue; anything else opens the overview.
 */
export function namespaceSwitchPath(path: string, search: string, to: string): string {
  const home = `/ns/${encodeURIComponent(to)}`;
  const r = routeOf(path);
  switch (r.page) {
    case 'queue':
      return `${home}/queue`;
    case 'list':
      return listHref(to, r.kind) + (search && search !== '?' ? (search.startsWith('?') ? search : `?${search}`) : '');
    case 'new':
    case 'object':
    case 'edit':
      return listHref(to, r.kind);
    default:
      return home;
  }
}
