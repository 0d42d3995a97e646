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
import { KubeClient, METADATA_LIST_ACCEPT, type KubeObject, type ObjectList } from '@tofu-operator/reconcile-runtime';
import { labelValueFor } from '../execution/naming.js';
import {
  assembleChunks,
  chunkName,
  encodeLines,
  MAX_CHUNK_BYTES,
  tailOf,
  type ChunkSummary,
  type StoredLog,
  type StoredTail,
} from './log-chunks.js';
import type { NamespaceUsage } from './log-quota.js';

/** Annotation with a chunk's text size in bytes, so usage is counted from metadata alone. */
const BYTES_ANNOTATION = 'tofu-operator.io/log-bytes';
/** Chunks per page when lists read their text (each at most MAX_CHUNK_BYTES before compression). */
const DATA_PAGE = 8;
const METADATA_PAGE = 500;

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
    // In pages: one answer with every chunk of a log at the cap would be tens of MiB of JSON at once.
    const chunks: TofuLogChunk[] = [];
    await this.pages<TofuLogChunk>(execution.metadata.namespace, DATA_PAGE, this.selector(execution), false, (c) => chunks.push(c));
    return assembleChunks(chunks, uidOf(execution));
  }

  /**
   * Where an execution's stored log continues, read in pages (only the resume chunk's text is kept):
   * the archiver's memory does not follow the size of what is stored.
   */
  async tail(execution: TofuExecution): Promise<StoredTail> {
    const summaries: ChunkSummary[] = [];
    await this.pages<TofuLogChunk>(execution.metadata.namespace, DATA_PAGE, this.selector(execution), false, (c) => {
      const { index, firstLine, lineCount, final } = c.spec;
      if (c.spec.executionUid === uidOf(execution)) summaries.push({ index, firstLine, lineCount, ...(final ? { final } : {}) });
    });
    const tail = tailOf(summaries);
    if (!tail.last) return tail;
    const last = await this.client.get<TofuLogChunk>(
      TofuLogChunks,
      execution.metadata.namespace,
      chunkName(nameOf(execution), tail.last.index),
    );
    return tailOf(summaries.map((c) => (c.index === last.spec.index ? { ...c, data: last.spec.data } : c)));
  }

  /** Uids of the executions whose log is stored to the end (in the namespace, or all when undefined); metadata only. */
  async finishedUids(namespace: string | undefined): Promise<Set<string>> {
    const uids = new Set<string>();
    await this.pages<KubeObject>(namespace, METADATA_PAGE, `${Labels.logFinal}=true`, true, (c) => {
      for (const o of c.metadata?.ownerReferences ?? []) if (o.kind === 'TofuExecution') uids.add(o.uid);
    });
    return uids;
  }

  /** Chunks stored in a namespace and their text bytes (metadata only; chunks without the annotation count as full). */
  async usage(namespace: string): Promise<NamespaceUsage> {
    const usage = { chunks: 0, bytes: 0 };
    await this.pages<KubeObject>(namespace, METADATA_PAGE, `${Labels.component}=log`, true, (c) => {
      const bytes = Number(c.metadata?.annotations?.[BYTES_ANNOTATION]);
      usage.chunks++;
      usage.bytes += Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : MAX_CHUNK_BYTES;
    });
    return usage;
  }

  private selector(execution: TofuExecution): string {
    return `${Labels.execution}=${labelValueFor(nameOf(execution))}`;
  }

  /** Lists chunks page by page, handing each to `each` (pages are not kept). */
  private async pages<T extends KubeObject>(
    namespace: string | undefined,
    limit: number,
    labelSelector: string,
    metadataOnly: boolean,
    each: (c: T) => void,
  ): Promise<void> {
    let cont: string | undefined;
    do {
      const page: ObjectList<T> = await this.client.list<T>(TofuLogChunks, namespace, {
        labelSelector,
        limit,
        ...(cont ? { continue: cont } : {}),
        ...(metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
      });
      // A metadata-only list answers `items: null` when nothing matches.
      for (const c of page.items ?? []) each(c);
      cont = page.metadata.continue || undefined;
    } while (cont);
  }

  /** Writes (creates or replaces) one chunk; answers its text size in bytes. */
  async write(execution: TofuExecution, chunk: ChunkWrite): Promise<number> {
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
        annotations: { [BYTES_ANNOTATION]: String(bytes) },
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
    return bytes;
  }
}
