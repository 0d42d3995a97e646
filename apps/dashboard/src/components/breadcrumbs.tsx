import Link from 'next/link';
import type { Crumb } from '../lib/page-nav.ts';

/** Where an object page sits (see breadcrumbTrail): links up, the page itself last (aria-current). */
export function Breadcrumbs({ trail }: { trail: readonly Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs" data-testid="breadcrumbs">
      <ol>
        {trail.map((c, i) => (
          <li key={`${i}-${c.label}`}>
            {c.href && i < trail.length - 1 ? <Link href={c.href}>{c.label}</Link> : <span aria-current="page">{c.label}</span>}
          </li>
        ))}
      </ol>
    </nav>
  );
}
