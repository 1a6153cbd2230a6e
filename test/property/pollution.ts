/** Prototype pollution shows up as a change to Object.prototype: its own keys and what a fresh object inherits. */

/** A snapshot of Object.prototype to compare against after hostile input has been processed. */
export function objectPrototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

/** Throws when Object.prototype differs from the snapshot or a fresh object inherits a property it should not. */
export function assertPrototypeUntouched(snapshot: readonly string[]): void {
  const now = objectPrototypeSnapshot();
  if (now.join(',') !== snapshot.join(',')) throw new Error(`Object.prototype changed: ${now.filter((key) => !snapshot.includes(key)).join(', ')}`);
  const fresh = {} as Record<string, unknown>;
  for (const key of ['polluted', 'type', 'isAdmin', 'steps']) {
    if (fresh[key] !== undefined) throw new Error(`a fresh object inherits "${key}"`);
  }
}
