'use client';
import Link from 'next/link';
import { useParams, usePathname } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import type { ResourceKind } from '@tofu-operator/api-contracts';
import { documentTitle, KIND_NAMES, listHref, routeOf } from '../lib/routes.ts';

/** The branded "not found" state: what is missing, why that may be, and the way back (no retry). */
function NotFoundView({ title, children, back }: { title: ReactNode; children: ReactNode; back: { href: string; label: string } }) {
  return (
    <div className="not-found" data-testid="not-found">
      <p className="not-found-code" aria-hidden="true">
        404
      </p>
      {title}
      <div className="muted">{children}</div>
      <Link href={back.href} className="btn btn-primary" data-testid="not-found-back">
        {back.label}
      </Link>
    </div>
  );
}

/**
 * The page's heading, which also gives the document its title: the route announcer reads
 * `data-document-title` when the state is there on navigation; a state that appears later (the
 * API's 404 after loading) sets the title itself.
 */
function Heading({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
  return (
    <h1 data-document-title={title} data-testid="not-found-title">
      {children}
    </h1>
  );
}

/** A module, stack or execution that does not exist (any more) in the namespace. */
export function MissingObject({ ns, kind, name }: { ns: string; kind: ResourceKind; name: string }) {
  const k = KIND_NAMES[kind];
  return (
    <NotFoundView
      title={
        <Heading title={`Not found: ${name} · ${k.kind} · ${ns}`}>
          {k.kind} <span className="mono">{name}</span> not found
        </Heading>
      }
      back={{ href: listHref(ns, kind), label: `Back to ${k.plural.toLowerCase()}` }}
    >
      <p>
        There is no {k.one} named <strong className="mono">{name}</strong> in namespace <strong>{ns}</strong>. It may have been deleted, or
        the link is mistyped.
      </p>
    </NotFoundView>
  );
}

/** The object an API 404 named, in the namespace of the current page. */
export function MissingObjectHere({ kind, name }: { kind: ResourceKind; name: string }) {
  const ns = decodeURIComponent(useParams<{ ns?: string }>().ns ?? '');
  return <MissingObject ns={ns} kind={kind} name={name} />;
}

/** A namespace this token may not see: mistyped, deleted, or not one the token may list in. */
export function MissingNamespace() {
  const path = usePathname();
  const route = routeOf(path);
  const ns = 'ns' in route ? route.ns : ((routeOf(path.split('/').slice(0, 3).join('/')) as { ns?: string }).ns ?? '');
  return (
    <NotFoundView
      title={
        <Heading title={`Namespace ${ns} not found`}>
          Namespace <span className="mono">{ns}</span> not found
        </Heading>
      }
      back={{ href: '/', label: 'Choose a namespace' }}
    >
      <p>
        There is no namespace named <strong className="mono">{ns}</strong> among those your token may see: it may be mistyped or deleted, or
        your token may not list modules, stacks or executions there.
      </p>
    </NotFoundView>
  );
}

/** An address that is no page of the dashboard; inside a namespace, the way back is its overview. */
export function MissingPage({ ns }: { ns?: string }) {
  const path = usePathname();
  return (
    <NotFoundView
      title={<Heading title="Page not found">Page not found</Heading>}
      back={
        ns ? { href: `/ns/${encodeURIComponent(ns)}`, label: `Back to the overview of ${ns}` } : { href: '/', label: 'Choose a namespace' }
      }
    >
      <p>
        Nothing lives at <code className="mono">{path}</code>.
      </p>
    </NotFoundView>
  );
}

/** Inside a namespace: the object of the address when it names one, else the page. */
export function MissingInNamespace() {
  const route = routeOf(usePathname());
  const ns = decodeURIComponent(useParams<{ ns?: string }>().ns ?? '');
  if (route.page === 'object' || route.page === 'edit') return <MissingObject ns={route.ns} kind={route.kind} name={route.name} />;
  return <MissingPage ns={ns} />;
}
