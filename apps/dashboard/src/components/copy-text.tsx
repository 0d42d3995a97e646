'use client';
import { useState } from 'react';

/** A value shown short (the whole in its title) with a button that copies the whole. */
export function CopyText({ value, shown, label, testId }: { value: string; shown: string; label: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="copy-text">
      <code className="mono" title={value} data-testid={testId} data-value={value}>
        {shown}
      </code>{' '}
      <button
        type="button"
        className="btn btn-quiet btn-small"
        aria-label={`Copy ${label}`}
        onClick={() =>
          void navigator.clipboard.writeText(value).then(
            () => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            },
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
