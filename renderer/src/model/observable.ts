// The base of every store: a version number that changes with the store, and listeners. Views read
// the store's fields directly and re-render when the version moves (React's useSyncExternalStore).

export class Observable {
  private readonly listeners = new Set<() => void>();
  private version = 0;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getVersion = (): number => this.version;

  /** Tells the views that the store changed. */
  protected changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
