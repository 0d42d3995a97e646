/**
 * Remembers executions the reconciler created until the informer cache shows them (after
 * controller-runtime's and the ReplicaSet controller's "expectations"). While one is pending, the
 * owner's cache view is older than our own write, so decisions wait. Expectations expire, so a lost
 * event cannot stall an owner forever.
 */
export class Expectations {
  private readonly pendingByOwner = new Map<string, Map<string, number>>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  expect(ownerUid: string, name: string): void {
    let names = this.pendingByOwner.get(ownerUid);
    if (!names) this.pendingByOwner.set(ownerUid, (names = new Map<string, number>()));
    names.set(name, this.now() + this.ttlMs);
  }

  observe(ownerUid: string, name: string): void {
    const names = this.pendingByOwner.get(ownerUid);
    if (!names) return;
    names.delete(name);
    if (names.size === 0) this.pendingByOwner.delete(ownerUid);
  }

  /** Whether an unexpired expectation is pending for the owner. */
  pending(ownerUid: string): boolean {
    const names = this.pendingByOwner.get(ownerUid);
    if (!names) return false;
    const now = this.now();
    for (const [name, deadline] of names) if (deadline <= now) names.delete(name);
    if (names.size === 0) this.pendingByOwner.delete(ownerUid);
    return names.size > 0;
  }
}
