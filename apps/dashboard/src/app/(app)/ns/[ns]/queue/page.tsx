'use client';
import { useParams } from 'next/navigation';
import { QueueView } from '../../../../../components/queue-view.tsx';

/** The runs of the namespace waiting for a free slot, live. */
export default function QueuePage() {
  const params = useParams<{ ns: string }>();
  return <QueueView ns={decodeURIComponent(params.ns)} />;
}
