// The requests of a connection still waiting for their closing answer, by their link key, at most a
// bound of them: past it the oldest is let go and counted, so a connection whose requests are never
// answered (fire-and-forget acks, a peer that died) keeps a bounded memory. An answer whose request
// was let go finds nothing here and is linked to nothing, never to a wrong request.

/** Where an open request is and when it was sent. */
export interface OpenRequest {
  message: number;
  packet: number;
  /** Its message's time, epoch ms. */
  time: number;
}

export class OpenRequests {
  private readonly byKey = new Map<string, OpenRequest>();
  /**
   * Opened requests, oldest first from head, to find the oldest in O(1) (a Map's first entry is not:
   * after many deletes at its front, reaching it walks them). Entries closed or opened again since
   * are stale (byKey holds another request or none) and skipped.
   */
  private queue: { key: string; request: OpenRequest }[] = [];
  private head = 0;
  private evictedCount = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error('OpenRequests needs room for at least one request');
  }

  /** Opens a request under key; one still open under it is left unanswered. Returns the requests let go to make room. */
  open(key: string, request: OpenRequest): OpenRequest[] {
    const evicted: OpenRequest[] = [];
    this.byKey.set(key, request);
    this.queue.push({ key, request });
    while (this.byKey.size > this.max) {
      const oldest = this.queue[this.head++]!;
      if (this.byKey.get(oldest.key) !== oldest.request) continue;
      this.byKey.delete(oldest.key);
      this.evictedCount++;
      evicted.push(oldest.request);
    }
    // Entries before head are done with; entries past it may be stale. Either kind is let go once it
    // outnumbers the requests open (amortized: each compaction follows as many pushes as it keeps).
    if (this.head > this.byKey.size + 1024 || this.queue.length - this.head > 2 * this.byKey.size + 1024) this.compact();
    return evicted;
  }

  get(key: string): OpenRequest | undefined {
    return this.byKey.get(key);
  }

  close(key: string): void {
    this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Requests let go unanswered because more than max were open. */
  get evicted(): number {
    return this.evictedCount;
  }

  private compact(): void {
    this.queue = this.queue.slice(this.head).filter((e) => this.byKey.get(e.key) === e.request);
    this.head = 0;
  }
}
