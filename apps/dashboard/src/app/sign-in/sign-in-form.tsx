'use client';
import { useState, type FormEvent } from 'react';
import { safeReturnPath } from '../../lib/return-path.ts';

/**
 * Posts the token to the sign-in route handler; on success the cookie is set and the app opens at
 * `returnTo` (the page asked for before signing in, a same-origin path; checked again here). Enter in
 * the token field submits, as in a one-line field.
 */
export function SignInForm({ returnTo }: { returnTo: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch('/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      if (res.ok) {
        setToken('');
        window.location.assign(safeReturnPath(returnTo));
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { message?: string };
      setError(body.message ?? `sign-in failed (${res.status})`);
    } catch {
      setError('the dashboard server is not reachable');
    }
    setBusy(false);
  };
  return (
    <form onSubmit={(e) => void onSubmit(e)} className="form">
      <div className={`field${error ? ' field-invalid' : ''}`}>
        <label htmlFor="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          // A token is one line: Enter signs in (as in a text field); Shift+Enter is left to the textarea.
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (token.trim() && !busy) e.currentTarget.form?.requestSubmit();
            }
          }}
          required
          spellCheck={false}
          autoComplete="off"
          aria-invalid={!!error}
          aria-describedby={error ? 'token-error' : undefined}
          className="mono"
        />
        {error && (
          <small id="token-error" className="field-error" role="alert" data-testid="sign-in-error">
            {error}
          </small>
        )}
      </div>
      <button type="submit" className="btn btn-primary" disabled={busy || !token.trim()}>
        {busy ? 'Checking…' : 'Sign in'}
      </button>
    </form>
  );
}
