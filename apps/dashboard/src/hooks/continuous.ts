'use client';
/** "Check drift now" (issue 13): the REST call that sets tofu-operator.io/drift-check-requested-at. */
import { useMutation } from '@tanstack/react-query';
import { continuousPaths, type DriftCheckResponse, type PlannableKind } from '@tofu-operator/api-contracts';
import { api } from './api.ts';

/** Requests a drift check of a module or stack; answers the annotation value (202) or throws ApiError (409 when drift detection is off). */
export function useDriftCheck(ns: string, kind: PlannableKind) {
  return useMutation({
    mutationFn: (name: string) => api<DriftCheckResponse>(continuousPaths.driftCheck(ns, kind, name), { method: 'POST' }),
  });
}
