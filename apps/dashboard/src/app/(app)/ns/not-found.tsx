import { MissingNamespace } from '../../../components/not-found-state.tsx';
import { TopBar } from '../top-bar.tsx';

/** A namespace the token may not see (its layout answered 404): said so, with the way to the picker. */
export default function NamespaceNotFound() {
  return (
    <>
      <TopBar />
      <main id="main" className="page narrow">
        <MissingNamespace />
      </main>
    </>
  );
}
