// Issue 14 item 5 in the browser: a reader watching a run's page loses access (its RoleBinding is
// deleted); the operator checks access again and ends the subscription, and the page says so in the
// log's state instead of silently going quiet.
import { expect, test } from './fixtures.ts';
import { apply, kubectl, SAMPLES_REPO, serviceAccountToken, waitFor } from './cluster.ts';
import { ExecutionPage } from './pages/pages.ts';

test('a revoked reader is told the live log ended, with the refusal', async ({ page, env, signIn }) => {
  const ns = env.namespace;
  const token = serviceAccountToken(ns, 'soon-revoked', ['get', 'list', 'watch']);
  apply({
    apiVersion: 'tofu-operator.io/v1alpha1',
    kind: 'TofuModule',
    metadata: { name: 'revoke-watch', namespace: ns },
    spec: { source: { repository: SAMPLES_REPO, revision: 'main', workdir: 'hello' } },
  });
  const run = await waitFor(
    'the plan of module revoke-watch',
    () => {
      const list = JSON.parse(kubectl(['get', 'tofuexecutions', '-n', ns, '-l', 'tofu-operator.io/module=revoke-watch', '-o', 'json'])) as {
        items: { metadata: { name: string } }[];
      };
      return list.items[0]?.metadata.name;
    },
    60_000,
    500,
  );
  await signIn(page, token);
  await page.goto(`/ns/${ns}/executions/${run}`);
  const execution = new ExecutionPage(page);
  await expect(execution.name()).toContainText(run);
  await expect(execution.logState()).toBeVisible();
  kubectl(['delete', 'rolebinding', 'soon-revoked', '-n', ns]);
  // The operator re-checks live subscriptions every 5 s (TOFU_OPERATOR_ACCESS_RECHECK_MS).
  await expect(execution.logState()).toContainText('the live log ended', { timeout: 25_000 });
  await expect(execution.logState()).toContainText(/forbidden|403|not allowed|cannot/i);
});
