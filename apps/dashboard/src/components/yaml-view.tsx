'use client';
import { useMemo, useState } from 'react';
import { toYaml, withoutManagedFields } from '../lib/yaml.ts';

/**
 * The object as the API returns it, read-only YAML (metadata.managedFields left out), with a Copy
 * button. Folded until opened. These objects hold names of Secrets, never their values.
 */
export function YamlView({ object, kind }: { object: unknown; kind: string }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const text = useMemo(() => (open ? toYaml(withoutManagedFields(object)) : ''), [object, open]);
  return (
    <details className="card yaml-view" data-testid="yaml" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>YAML</summary>
      {open && (
        <>
          <div className="actions">
            <button
              type="button"
              className="btn btn-small"
              data-testid="yaml-copy"
              aria-label={`Copy the ${kind}'s YAML`}
              onClick={() =>
                void navigator.clipboard.writeText(text).then(
                  () => {
                    setCopied('yes');
                    setTimeout(() => setCopied(undefined), 1500);
                  },
                  () => setCopied('failed'),
                )
              }
            >
              {copied === 'yes' ? 'Copied' : 'Copy'}
            </button>
            <span className="muted small" role="status">
              {copied === 'failed' ? 'The browser refused the clipboard: select the text instead.' : ''}
            </span>
          </div>
          <pre className="mono yaml-text" data-testid="yaml-text" tabIndex={0} aria-label={`${kind} YAML`}>
            {text}
          </pre>
        </>
      )}
    </details>
  );
}
