import type { Metadata } from 'next';
import { MissingPage } from '../components/not-found-state.tsx';
import { TopBar } from './(app)/top-bar.tsx';

export const metadata: Metadata = { title: 'Page not found' };

/** Any address that is no page of the dashboard (HTTP 404): the header and the way home. */
export default function NotFound() {
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" className="page narrow">
        <MissingPage />
      </main>
    </>
  );
}
