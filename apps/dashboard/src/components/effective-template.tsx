'use client';
import Link from 'next/link';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { effectiveTemplate } from '../lib/effective-template.ts';
import { envShown } from '../lib/secret-env.ts';
import { EnvValue } from './env-view.tsx';
import { SpecView } from './spec-view.tsx';

const FROM_LABEL = { module: 'from module', stack: 'this stack', overridden: 'overrides module' } as const;

/**
 * A stack's effective runner template (its module's with the stack's on top, merged like the
 * operator does), each setting marked "from module", "this stack" or "overrides module". Env
 * literals under secret-looking names stay masked; references name their source only.
 */
export function EffectiveTemplate({ ns, stack, module }: { ns: string; stack: TofuStack; module: TofuModule | undefined }) {
  const rows = effectiveTemplate(module?.spec.executionTemplate, stack.spec.executionTemplate);
  return (
    <section className="card" aria-labelledby="effective-template" data-testid="effective-template">
      <h2 id="effective-template">Runner template (effective)</h2>
      {module ? (
        <p className="muted small">
          Module <Link href={`/ns/${ns}/modules/${module.metadata.name}`}>{module.metadata.name}</Link>, with this stack&apos;s settings on
          top.
        </p>
      ) : (
        <p className="muted small">The module is not found: only this stack&apos;s settings are shown.</p>
      )}
      {rows.length === 0 ? (
        <p className="muted">No runner settings: the operator&apos;s defaults.</p>
      ) : (
        <dl className="spec">
          {rows.map((r) => (
            <div key={r.setting} className="spec-row" data-testid={`template-${r.setting}`}>
              <dt className="mono">{r.setting}</dt>
              <dd>
                {r.setting.startsWith('env.') ? <EnvValue row={envShown(r.value as { name: string })} /> : <SpecView value={r.value} />}
                <span className="muted small"> ({FROM_LABEL[r.from]})</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
