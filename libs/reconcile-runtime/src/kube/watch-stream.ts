import { KubeApiError } from './kube-errors.js';
import type { Status, WatchEvent } from './types.js';

/**
 * Reads a watch response body (one JSON event per line) and calls onEvent for each event, until
 * the body ends. An ERROR event rejects with a KubeApiError carrying its Status code (410 for an
 * expired resourceVersion); `path` names the watch in that error.
 */
export async function readWatchStream<T>(body: AsyncIterable<Buffer>, path: string, onEvent: (e: WatchEvent<T>) => void): Promise<void> {
  let buffered = '';
  for await (const chunk of body) {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      const event = JSON.parse(line) as WatchEvent<T>;
      if (event.type === 'ERROR') {
        const status = event.object as unknown as Status;
        throw new KubeApiError('WATCH', path, status.code ?? 500, status);
      }
      onEvent(event);
    }
  }
}
