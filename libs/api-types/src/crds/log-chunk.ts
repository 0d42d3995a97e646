import type { CrdDefinition } from './definitions.js';
import { int, obj, objectName, str } from './schema-helpers.js';

const logChunkSpec = obj(
  "Consecutive whole lines of one execution's runner log (see docs/adr/0004-log-store.md).",
  {
    executionName: objectName('Name of the TofuExecution whose log this is.'),
    executionUid: str('UID of that TofuExecution (a new execution of the same name is another log).', { maxLength: 64 }),
    index: int('Position of this chunk in the log, from 0.', { minimum: 0 }),
    firstLine: int('Sequence number (0-based line number in the whole log) of the first line in this chunk.', { minimum: 0 }),
    lineCount: int('How many lines this chunk holds.', { minimum: 0 }),
    bytes: int('Size of the uncompressed text in bytes.', { minimum: 0 }),
    encoding: str('How data is encoded.', { enum: ['gzip+base64'] }),
    data: str('The lines, newline-terminated, gzip-compressed, base64-encoded.', { maxLength: 524288 }),
    final: { type: 'boolean', description: 'The log ends with this chunk (the run has ended).' },
    incomplete: str('Set on the final chunk when lines were lost (why: e.g. the pod was removed before its log was read).', {
      maxLength: 1024,
    }),
  },
  {
    required: ['executionName', 'executionUid', 'index', 'firstLine', 'lineCount', 'encoding', 'data'],
    'x-ts-type': 'TofuLogChunkSpec',
  },
);

/** TofuLogChunk: part of an execution's stored log, owned by the execution. */
export const tofuLogChunkCrd: CrdDefinition = {
  kind: 'TofuLogChunk',
  listKind: 'TofuLogChunkList',
  plural: 'tofulogchunks',
  singular: 'tofulogchunk',
  shortNames: [],
  categories: [],
  description:
    "Part of a TofuExecution's runner log, kept after the pod is gone. Written by the operator, deleted with the execution; read logs through the API.",
  spec: logChunkSpec,
  printerColumns: [
    { name: 'Execution', type: 'string', jsonPath: '.spec.executionName', description: 'The TofuExecution' },
    { name: 'Index', type: 'integer', jsonPath: '.spec.index', description: 'Position in the log' },
    { name: 'First Line', type: 'integer', jsonPath: '.spec.firstLine', description: 'Sequence number of the first line' },
    { name: 'Lines', type: 'integer', jsonPath: '.spec.lineCount', description: 'Lines in this chunk' },
    { name: 'Final', type: 'boolean', jsonPath: '.spec.final', description: 'The log ends here' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Age' },
  ],
};
