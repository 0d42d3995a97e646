'use client';
import Link from 'next/link';
import type { TofuModule, TofuStack } from '@tofu-operator/api-types';
import { age } from '../lib/format.ts';
import { dependenciesReady, effectiveVariables, inputSources, outputViews, SENSITIVE_MASK } from '../lib/owner-inputs.ts';

const FROM_LABEL = { module: 'from module', stack: 'this stack', overridden: 'overrides module' } as const;

/**
 * A module's or stack's inputs and outputs: effective variables (for a stack, inherited from its
 * module or overridden), the ConfigMaps, Secrets, files and outputs they come from (by reference,
 * never by value), DependenciesReady, and the outputs with sensitive ones masked.
 */
export function OwnerInputs({ ns, owner, module }: { ns: string; owner: TofuModule | TofuStack; module: TofuModule | undefined }) {
  const isStack = owner.kind === 'TofuStack';
  const variables = effectiveVariables(owner, module);
  const sources = inputSources(owner, module);
  const outputs = outputViews(owner.status?.outputs, owner.status?.outputsInfo);
  const info = owner.status?.outputsInfo;
  const deps = dependenciesReady(owner.status?.conditions);
  const stack = isStack ? owner : undefined;
  const dependsOn = [
    ...new Set([...(stack?.spec.dependsOn ?? []).map((d) => d.name), ...(stack?.spec.inputsFrom ?? []).map((i) => i.stackRef.name)]),
  ];
  return (
    <div className="two-col">
      <section className="card" aria-labelledby="variables" data-testid="owner-variables">
        <h2 id="variables">Variables</h2>
        {variables.length === 0 && sources.length === 0 ? (
          <p className="muted">No variables set.</p>
        ) : (
          <>
            {variables.length > 0 && (
              <dl className="spec">
                {variables.map((v) => (
                  <div key={v.name} className="spec-row" data-testid={`variable-${v.name}`}>
                    <dt>{v.name}</dt>
                    <dd>
                      <span className="mono">{v.value}</span>
                      {isStack && <span className="muted small"> ({FROM_LABEL[v.from]})</span>}
                    </dd>
                  </div>
                ))}
              </dl>
            )}
            {sources.length > 0 && (
              <>
                <h3>Also from</h3>
                <ul className="plain-list" data-testid="input-sources">
                  {sources.map((s, i) => (
                    <li key={i}>
                      <span className="tag">{s.kind}</span>{' '}
                      {s.kind === 'Output' ? (
                        <Link href={`/ns/${ns}/stacks/${s.name}`}>{s.name}</Link>
                      ) : (
                        <span className="mono">{s.name}</span>
                      )}
                      {s.detail && <span className="muted"> {s.detail}</span>}
                      {isStack && <span className="muted small"> ({s.of})</span>}
                    </li>
                  ))}
                </ul>
                <p className="muted small">Values from ConfigMaps and Secrets are read at each run and never shown here.</p>
              </>
            )}
          </>
        )}
        {isStack && (
          <>
            <h3>Dependencies</h3>
            {dependsOn.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <p>
                {dependsOn.map((d, i) => (
                  <span key={d}>
                    {i > 0 && ', '}
                    <Link href={`/ns/${ns}/stacks/${d}`}>{d}</Link>
                  </span>
                ))}
              </p>
            )}
            {deps && (
              <p data-testid="dependencies-ready">
                DependenciesReady: <span className={`cond cond-${deps.status.toLowerCase()}`}>{deps.status}</span>{' '}
                <span className="mono">{deps.reason}</span>
                {deps.message && <span className="pre-wrap"> — {deps.message}</span>}
              </p>
            )}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="outputs" data-testid="owner-outputs">
        <h2 id="outputs">Outputs</h2>
        {outputs.length === 0 ? (
          <p className="muted">No outputs recorded yet (they appear after a successful apply).</p>
        ) : (
          <dl className="spec">
            {outputs.map((o) => (
              <div key={o.name} className="spec-row" data-testid={`output-${o.name}`}>
                <dt>{o.name}</dt>
                <dd>
                  {o.state === 'value' ? (
                    <span className="mono">{o.value}</span>
                  ) : o.state === 'sensitive' ? (
                    <span className="diff-sensitive" title="Sensitive: the value is only in the outputs Secret">
                      {SENSITIVE_MASK}
                    </span>
                  ) : o.state === 'omitted' ? (
                    <span className="muted">too large for status{info?.secretName ? ` (in Secret ${info.secretName})` : ''}</span>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </dd>
              </div>
            ))}
          </dl>
        )}
        {info && (
          <p className="muted small">
            {info.execution && (
              <>
                From <Link href={`/ns/${ns}/executions/${info.execution}`}>{info.execution}</Link>
              </>
            )}
            {info.updatedAt && <> {age(info.updatedAt)} ago</>}
            {info.secretName && (
              <>
                {' '}
                · all outputs in Secret <span className="mono">{info.secretName}</span>
              </>
            )}
          </p>
        )}
      </section>
    </div>
  );
}
