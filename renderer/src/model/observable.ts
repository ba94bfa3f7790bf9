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

/** A store read from the engine by a request: what it read, or why it could not be read. */
export class EngineReadStore extends Observable {
  /** Why the engine could not answer (one started without this feature, a lost link). */
  unavailable: string | undefined;

  /** Applies what request answers (unavailable cleared), or notes why it failed; the view hears of either. */
  protected readFrom<T>(request: Promise<T>, apply: (value: T) => void): Promise<void> {
    return request.then(
      (value) => {
        apply(value);
        this.unavailable = undefined;
        this.changed();
      },
      (error: Error) => {
        this.unavailable = error.message;
        this.changed();
      },
    );
  }
}
