import type { Metadata } from 'next';
import { SignInForm } from './sign-in-form.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const expired = (await searchParams)['expired'] !== undefined;
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
        <SignInForm />
        <details className="hint-box">
          <summary>Where do I get a token?</summary>
          <pre>kubectl create token &lt;serviceaccount&gt; -n &lt;namespace&gt;</pre>
          <p className="muted">Or an OIDC id-token your cluster accepts. It is kept in an http-only cookie and never shown again.</p>
        </details>
      </div>
    </main>
  );
}
