import type { Metadata } from 'next';
import { NEXT_PARAM, safeReturnPath } from '../../lib/return-path.ts';
import { SignInForm } from './sign-in-form.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const expired = params['expired'] !== undefined;
  // Only a path of the dashboard itself; anything else opens the namespace picker.
  const returnTo = safeReturnPath(params[NEXT_PARAM]);
  return (
    <main className="sign-in">
      <div className="card sign-in-card">
        <h1>
          <span className="logo" aria-hidden="true">
            ◆
          </span>{' '}
          tofu-operator
        </h1>
        <p className="muted">
          Sign in with a Kubernetes bearer token. What you may see and do is what the cluster&apos;s RBAC allows that token.
        </p>
        {expired && (
          <p className="inline-note" role="status">
            Your session ended. Sign in again.
          </p>
        )}
        <SignInForm returnTo={returnTo} />
        <details className="hint-box">
          <summary>Where do I get a token?</summary>
          <pre>kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</pre>
          <p className="muted">Or an OIDC id-token your cluster accepts. It is kept in an http-only cookie and never shown again.</p>
        </details>
      </div>
    </main>
  );
}
