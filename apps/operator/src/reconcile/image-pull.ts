// What the runner container's image problems mean for a run: fail now, or wait while the kubelet retries.

/** Waiting reasons of an image that will never be there: the run fails at once. */
const IMAGE_NEVER = new Set(['ErrImageNeverPull', 'InvalidImageName']);
/** Waiting reasons of a pull the kubelet retries (with backoff). */
export const IMAGE_PULLING = new Set(['ErrImagePull', 'ImagePullBackOff']);
/** What a registry or the runtime says when retrying cannot help: the image or the access is wrong. */
const PERMANENT_PULL =
  /not found|manifest unknown|does not exist|pull access denied|unauthorized|authentication required|access denied|forbidden|invalid reference format|no such host/i;

/**
 * Whether an image problem of the runner container fails the run now. A pull the registry refused
 * for good (unknown image or tag, no access, a name that cannot be pulled) does; a transient one
 * (timeout, connection refused, 5xx, rate limit, and kubelet's back-off, whose message does not say
 * why) waits: the kubelet retries within the run's activeDeadlineSeconds. Pure.
 */
export function imagePullFailsNow(reason: string, message = ''): boolean {
  if (IMAGE_NEVER.has(reason)) return true;
  return IMAGE_PULLING.has(reason) && PERMANENT_PULL.test(message);
}
