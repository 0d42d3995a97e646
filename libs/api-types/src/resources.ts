import { API_GROUP, API_VERSION } from './constants.js';

/** Identifies a resource type for REST paths: /apis/{group}/{version}/namespaces/{ns}/{plural}. */
export interface ResourceType {
  /** Empty for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const TofuModules: ResourceType = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'tofumodules',
  kind: 'TofuModule',
  namespaced: true,
};
export const TofuStacks: ResourceType = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'tofustacks',
  kind: 'TofuStack',
  namespaced: true,
};
export const TofuExecutions: ResourceType = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'tofuexecutions',
  kind: 'TofuExecution',
  namespaced: true,
};
export const TofuLogChunks: ResourceType = {
  group: API_GROUP,
  version: API_VERSION,
  plural: 'tofulogchunks',
  kind: 'TofuLogChunk',
  namespaced: true,
};
