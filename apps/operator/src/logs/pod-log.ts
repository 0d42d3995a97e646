import type { Readable } from 'node:stream';
import { KubeApiError, type KubeClient } from '@tofu-operator/reconcile-runtime';
import { RUNNER_CONTAINER } from '../execution/runner-pod.js';
import { StringDecoder } from 'node:string_decoder';
import { LogCap } from './log-chunks.js';
import { LineSplitter, parseTimestamped } from './log-lines.js';

/** How to read a runner's log: to its current end, or followed; from a time on when resuming. */
export interface RunnerLogRead {
  follow?: boolean;
  /** RFC 3339; the API server passes it on in whole seconds, so a resumed read repeats lines (see ResumeFilter). */
  sinceTime?: string;
}

/**
 * Opens the pods/log request of a runner pod: the runner container, always with timestamps, which
 * the resume rule needs and which are cut off again as lines are read. The one place the operator
 * asks the API server for a pod's log.
 */
export function openRunnerLog(
  client: KubeClient,
  namespace: string,
  pod: string,
  read: RunnerLogRead,
  signal: AbortSignal,
): Promise<Readable> {
  return client.stream(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
    {
      container: RUNNER_CONTAINER,
      timestamps: true,
      ...(read.follow ? { follow: true } : {}),
      ...(read.sinceTime ? { sinceTime: read.sinceTime } : {}),
    },
    signal,
  );
}

/**
 * A runner's log as it is now, read to its current end (no follow): the lines as a session serves
 * them (timestamps removed, overlong lines cut, at most `maxBytes` of text and then the truncation
 * marker, where the read stops). Empty while the container has not started (the API server answers
 * 400 "waiting to start").
 */
export async function readRunnerLog(client: KubeClient, namespace: string, pod: string, maxBytes: number): Promise<string[]> {
  const splitter = new LineSplitter();
  const decoder = new StringDecoder('utf8');
  const cap = new LogCap(maxBytes);
  const lines: string[] = [];
  const abort = new AbortController();
  try {
    const body = await openRunnerLog(client, namespace, pod, {}, abort.signal);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (const l of cap.take(splitter.push(decoder.write(chunk)).map((raw) => parseTimestamped(raw).text))) lines.push(l);
      if (cap.reached) {
        abort.abort();
        return lines;
      }
    }
  } catch (err) {
    if (err instanceof KubeApiError && err.code === 400) return [];
    throw err;
  }
  const rest = splitter.flush();
  if (rest !== undefined) lines.push(...cap.take([parseTimestamped(rest).text]));
  return lines;
}
