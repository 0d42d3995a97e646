'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { useNamespaces } from '../../hooks/resources.ts';
import { Empty, ErrorState, Loading } from '../../components/states.tsx';

export const LAST_NAMESPACE = 'tofu-operator.namespace';

/** The namespaces the token may see; opens the last one used when it is still among them. */
export function NamespacePicker() {
  const q = useNamespaces();
  const router = useRouter();
  useEffect(() => {
    const last = localStorage.getItem(LAST_NAMESPACE);
    if (last && q.data?.items.some((n) => n.name === last)) router.replace(`/ns/${last}`);
    else if (q.data?.items.length === 1) router.replace(`/ns/${q.data.items[0]!.name}`);
  }, [q.data, router]);
  if (q.isPending) return <Loading what="namespaces" rows={3} />;
  if (q.isError) return <ErrorState error={q.error} retry={() => void q.refetch()} />;
  if (!q.data.items.length)
    return (
      <Empty title="No namespace to show">
        <p className="muted">This token may not list modules, stacks or executions in any namespace. Ask for a RoleBinding.</p>
      </Empty>
    );
  return (
    <ul className="ns-list" data-testid="namespaces">
      {q.data.items.map((n) => (
        <li key={n.name}>
          <Link href={`/ns/${n.name}`} className="card ns-card">
            {n.name}
          </Link>
        </li>
      ))}
    </ul>
  );
}
