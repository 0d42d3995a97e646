/**
 * OpenTofu's state lock information (statemgr.LockInfo) as its `http` backend sends it in the body of
 * LOCK and UNLOCK, and expects back (423/409) when someone else holds the lock.
 */
export interface LockInfo {
  /** Random id of this lock; the writer passes it back as `?ID=` on POST and in UNLOCK. */
  ID: string;
  Operation?: string;
  Info?: string;
  Who?: string;
  Version?: string;
  Created?: string;
  Path?: string;
}

/** A LOCK or UNLOCK body that is not lock information. */
export class LockInfoError extends Error {
  override readonly name = 'LockInfoError';
}

/** Longest lock id accepted (OpenTofu's are UUIDs). */
const MAX_ID = 256;
/** Longest value of the other, descriptive fields. */
const MAX_FIELD = 4096;
const FIELDS = ['Operation', 'Info', 'Who', 'Version', 'Created', 'Path'] as const;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses lock information. `requireId` false accepts a body without an ID (OpenTofu's force-unlock
 * may send one) and answers undefined for it. Unknown fields are dropped, known ones must be strings.
 */
export function parseLockInfo(body: string, requireId: true): LockInfo;
export function parseLockInfo(body: string, requireId: boolean): LockInfo | undefined;
export function parseLockInfo(body: string, requireId: boolean): LockInfo | undefined {
  if (body.trim() === '') {
    if (requireId) throw new LockInfoError('the lock information is missing');
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    throw new LockInfoError('the lock information is not JSON', { cause: err });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new LockInfoError('the lock information must be a JSON object');
  const obj = raw as Record<string, unknown>;
  const id = obj['ID'];
  if (id === undefined || id === '') {
    if (requireId) throw new LockInfoError('the lock information has no ID');
    return undefined;
  }
  if (typeof id !== 'string' || id.length > MAX_ID) throw new LockInfoError(`the lock ID must be a string of at most ${MAX_ID} characters`);
  const info: LockInfo = { ID: id };
  for (const f of FIELDS) {
    const v = obj[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v.length > MAX_FIELD)
      throw new LockInfoError(`the lock field ${f} must be a string of at most ${MAX_FIELD} characters`);
    // OpenTofu reads Created back into a time.Time: anything but RFC 3339 would make the holder's
    // information unreadable to the next locker ("failed to unmarshal body").
    if (f === 'Created' && v !== '' && !RFC3339.test(v)) throw new LockInfoError('the lock field Created must be an RFC 3339 time');
    if (v !== '') info[f] = v;
  }
  return info;
}

/**
 * The JSON OpenTofu reads back (statemgr.LockInfo): the fields that have a value. An absent field is
 * fine for Go's decoder; an empty Created would not be (it is a time.Time).
 */
export function serializeLockInfo(info: LockInfo): string {
  const out: Record<string, string> = { ID: info.ID };
  for (const f of FIELDS) if (info[f]) out[f] = info[f];
  return JSON.stringify(out);
}

/** What a LOCK request does to the current lock. */
export type LockDecision = { kind: 'acquire' } | { kind: 'already-held' } | { kind: 'locked'; holder: LockInfo };

/**
 * LOCK: take a free lock; a repeated LOCK with the held ID succeeds again (an HTTP retry after a lost
 * answer must not lock its own holder out); any other ID is refused with the holder's information.
 */
export function decideLock(current: LockInfo | undefined, request: LockInfo): LockDecision {
  if (!current) return { kind: 'acquire' };
  if (current.ID === request.ID) return { kind: 'already-held' };
  return { kind: 'locked', holder: current };
}

/** What an UNLOCK request does to the current lock. */
export type UnlockDecision = { kind: 'release' } | { kind: 'not-locked' } | { kind: 'mismatch'; holder: LockInfo };

/**
 * UNLOCK: with the holder's ID, release; with another ID, refuse (409 and the holder, so the caller
 * sees whose lock it is); with no ID at all, release: that is `tofu force-unlock` from a version whose
 * http client sends no body, and the caller holds a token for this very owner. Unlocking a free lock
 * succeeds (the state is unlocked, as asked).
 */
export function decideUnlock(current: LockInfo | undefined, requestId: string | undefined): UnlockDecision {
  if (!current) return { kind: 'not-locked' };
  if (requestId === undefined || requestId === current.ID) return { kind: 'release' };
  return { kind: 'mismatch', holder: current };
}

/** Whether a state write (POST, with the writer's `?ID=`) may go ahead. */
export type WriteDecision = { kind: 'allow' } | { kind: 'locked'; holder: LockInfo } | { kind: 'not-locked'; id: string };

/**
 * POST: a locked state takes writes only with the holder's ID (423 otherwise); a writer that names a
 * lock nobody holds any more (force-unlocked meanwhile) is refused (409) rather than let it write over
 * whoever comes next. An unlocked state without an ID is `-lock=false`, the caller's choice.
 */
export function decideWrite(current: LockInfo | undefined, id: string | undefined): WriteDecision {
  if (current) return id === current.ID ? { kind: 'allow' } : { kind: 'locked', holder: current };
  return id === undefined || id === '' ? { kind: 'allow' } : { kind: 'not-locked', id };
}
