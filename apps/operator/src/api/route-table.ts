import { RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { API_DOC_METADATA, type ApiDocSpec } from '../http/api-doc.js';
import { AUTHZ_METADATA, type AuthzRequirement } from '../http/authz.js';

/** One HTTP route of the application, as its decorators declare it. */
export interface RouteEntry {
  method: string;
  path: string;
  controller: Type;
  handler: string;
  authz: AuthzRequirement | undefined;
  /** The status of a successful answer: the route's @HttpCode, or Nest's default (201 for POST). */
  status: number;
  /** The route's @ApiDoc, if any. */
  doc: ApiDocSpec | undefined;
}

type ModuleRef = Type | { module: Type; controllers?: Type[]; imports?: ModuleRef[] } | Promise<unknown> | undefined;

const paths = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [typeof v === 'string' ? v : '/']);
const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/**
 * Every route of the module tree under `root`, read from Nest's decorator metadata (imports are
 * followed recursively), so a route added anywhere shows up here.
 */
export function routeTable(root: Type): RouteEntry[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Type>();
  const visit = (ref: ModuleRef) => {
    if (!ref || ref instanceof Promise || seen.has(ref)) return;
    seen.add(ref);
    const cls = typeof ref === 'function' ? ref : ref.module;
    const dynamic = typeof ref === 'function' ? undefined : ref;
    for (const c of [
      ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Type[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    ])
      controllers.add(c);
    for (const i of [
      ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as ModuleRef[] | undefined) ?? []),
      ...(dynamic?.imports ?? []),
    ])
      visit(i);
  };
  visit(root);
  return controllerRoutes(controllers);
}

/** The routes of the given controllers (for the running application: its discovered controllers). */
export function controllerRoutes(controllers: Iterable<Type>): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const base of paths(Reflect.getMetadata(PATH_METADATA, controller))) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key === 'constructor') continue;
        const fn = proto[key];
        if (typeof fn !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
        const routePath = Reflect.getMetadata(PATH_METADATA, fn) as unknown;
        if (method === undefined || routePath === undefined) continue;
        for (const p of paths(routePath)) {
          routes.push({
            method: RequestMethod[method],
            path: join(base, p),
            controller,
            handler: key,
            authz: Reflect.getMetadata(AUTHZ_METADATA, fn) as AuthzRequirement | undefined,
            status: (Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200),
            doc: Reflect.getMetadata(API_DOC_METADATA, fn) as ApiDocSpec | undefined,
          });
        }
      }
    }
  }
  return routes;
}
