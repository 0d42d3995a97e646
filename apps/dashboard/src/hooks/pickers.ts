'use client';
/** Names and key names (never values) of the namespace's ConfigMaps and Secrets, for the varsFrom pickers. */
import { useQuery } from '@tanstack/react-query';
import { apiPaths, type KeyedObjectList, type PickerKind } from '@tofu-operator/api-contracts';
import { api, ApiError } from './api.ts';

export function usePicker(ns: string, kind: PickerKind, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['picker', ns, kind] as const,
    queryFn: ({ signal }) => api<KeyedObjectList>(apiPaths.picker(ns, kind), { signal }),
    staleTime: 30_000,
    // A 403 (the caller may not list them) is an answer, not a failure to retry: the form offers free text.
    retry: (count, err) => count < 2 && !(err instanceof ApiError && err.status === 403),
  });
}
