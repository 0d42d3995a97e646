import { MissingInNamespace } from '../../../../components/not-found-state.tsx';

/** Inside a namespace (its header stays): an object that does not exist, or an address that is no page. */
export default function InNamespaceNotFound() {
  return <MissingInNamespace />;
}
