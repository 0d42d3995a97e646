import { Injectable } from '@nestjs/common';
import {
  API_GROUP_VERSION,
  Labels,
  MANAGED_BY,
  nameOf,
  TofuLogChunks,
  uidOf,
  type TofuExecution,
  type TofuLogChunk,
} from '@tofu-operator/api-types';
import { KubeClient } from '@tofu-operator/reconcile-runtime';
import { labelValueFor } from '../execution/naming.js';
import { assembleChunks, chunkName, encodeLines, type StoredLog } from './log-chunks.js';

/** One chunk to write. */
export interface ChunkWrite {
  index: number;
  firstLine: number;
  lines: readonly string[];
  final: boolean;
  incomplete?: string;
}

/**
 * Reads and writes the stored logs of executions: TofuLogChunk objects owned by the execution
 * (docs/adr/0004-log-store.md). Reads go to the API server (chunks are not cached: they hold the
 * text), writes use server-side apply, so writing the same chunk twice is harmless.
 */
@Injectable()
export class LogStore {
  constructor(private readonly client: KubeClient) {}

  /** The stored log of an execution (a prefix of it while the run is being archived). */
  async read(execution: TofuExecution): Promise<StoredLog> {
    const list = await this.client.list<TofuLogChunk>(TofuLogChunks, execution.metadata.namespace, {
      labelSelector: `${Labels.execution}=${labelValueFor(nameOf(execution))}`,
    });
    return assembleChunks(list.items, uidOf(execution));
  }

  /** Uids of the executions whose log is stored to the end (in the namespace, or all when undefined). */
  async finishedUids(namespace: string | undefined): Promise<Set<string>> {
    const list = await this.client.list<TofuLogChunk>(TofuLogChunks, namespace, { labelSelector: `${Labels.logFinal}=true` });
    return new Set(list.items.map((c) => c.spec.executionUid));
  }

  /** Writes (creates or replaces) one chunk. */
  async write(execution: TofuExecution, chunk: ChunkWrite): Promise<void> {
    const name = nameOf(execution);
    const { data, bytes } = encodeLines(chunk.lines);
    const body: TofuLogChunk = {
      apiVersion: API_GROUP_VERSION,
      kind: 'TofuLogChunk',
      metadata: {
        name: chunkName(name, chunk.index),
        namespace: execution.metadata.namespace,
        labels: {
          [Labels.managedBy]: MANAGED_BY,
          [Labels.partOf]: 'tofu-operator',
          [Labels.component]: 'log',
          [Labels.execution]: labelValueFor(name),
          ...(chunk.final ? { [Labels.logFinal]: 'true' } : {}),
        },
        ownerReferences: [{ apiVersion: API_GROUP_VERSION, kind: 'TofuExecution', name, uid: uidOf(execution) }],
      },
      spec: {
        executionName: name,
        executionUid: uidOf(execution),
        index: chunk.index,
        firstLine: chunk.firstLine,
        lineCount: chunk.lines.length,
        bytes,
        encoding: 'gzip+base64',
        data,
        final: chunk.final,
        ...(chunk.incomplete ? { incomplete: chunk.incomplete } : {}),
      },
    };
    await this.client.apply<TofuLogChunk>(TofuLogChunks, execution.metadata.namespace, nameOf(body), body);
  }
}
