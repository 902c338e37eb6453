/**
 * Exactly what GET /v1/products/{id} sent: the JSON bytes and the ETag computed over them. Only the bytes are kept,
 * not the object they were made from: a hit sends them as they are, and ten thousand entries of a few flat objects
 * each are what every full garbage collection of the edge has to mark (its pauses are the edge's tail latency).
 */
export interface CachedProduct {
  json: Buffer;
  etag: string;
}

/**
 * Product ids are UUIDs, which the product service accepts in any case, while the change feed always names them in
 * lower case: one key per product, or an upper-case read would be stored where no invalidation ever reaches it.
 */
const keyOf = (id: string): string => id.toLowerCase();

/** One read in flight: taken before the gRPC call, handed back with its answer (or nothing) to settle(). */
export interface ReadTicket {
  readonly id: string;
  /** The epoch at begin(); -1 when the cache was disabled then, so the answer is never stored. */
  readonly epoch: number;
  /** The id's invalidation count at begin(). */
  readonly generation: number;
}

/** The reads of one id in flight: bounded bookkeeping, removed when the last of them settles. */
interface InFlight {
  count: number;
  /** Invalidations of the id seen while reads of it were in flight. */
  generation: number;
}

/**
 * A bounded LRU (Map insertion order) of product representations, correct only as long as every change of a
 * product reaches invalidate(): the change watcher enables it while its change feed is confirmed live and
 * disables it (clearing everything) the moment changes may have been missed.
 *
 * A read that was in flight while its id was invalidated, or while the cache was disabled, enabled or cleared,
 * may carry a value from before the change, so settle() drops it instead of storing it.
 */
export class ProductCache {
  private readonly entries = new Map<string, { value: CachedProduct; storedAt: number }>();
  private readonly inFlight = new Map<string, InFlight>();
  private enabledNow = false;
  /** Bumped by disable(): tickets of another epoch never store and never touch `inFlight` (cleared with it). */
  private epoch = 0;

  /**
   * @param maxAgeMs how long an entry may answer at most. Invalidation is what keeps entries right; the age limit
   * only bounds the damage should a change ever not reach invalidate() (a change feed that died silently and is
   * not noticed yet by its heartbeat, a handover between product replicas, a TRUNCATE, writes with triggers off).
   * @param now the clock, for tests.
   */
  constructor(
    readonly maxEntries: number,
    readonly maxAgeMs: number = Number.POSITIVE_INFINITY,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('a product cache holds at least one entry');
    if (!(maxAgeMs > 0)) throw new RangeError('a product cache entry must live a positive time');
  }

  get enabled(): boolean {
    return this.enabledNow;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The number of ids with reads in flight (bookkeeping, for tests). */
  get inFlightIds(): number {
    return this.inFlight.size;
  }

  /**
   * Starts storing answers of reads that begin from now on. A read begun earlier, while disabled, may predate a
   * change that no feed reported: its ticket never stores (see begin()).
   */
  enable(): void {
    this.enabledNow = true;
  }

  /** Changes may have been missed: forget everything, and let no read in flight store its answer. */
  disable(): void {
    this.enabledNow = false;
    this.epoch += 1;
    this.entries.clear();
    this.inFlight.clear();
  }

  /** A hit refreshes the entry's recency. */
  get(anyCaseId: string): CachedProduct | undefined {
    if (!this.enabledNow) return undefined;
    const id = keyOf(anyCaseId);
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    if (this.now() - entry.storedAt >= this.maxAgeMs) return undefined;
    this.entries.set(id, entry);
    return entry.value;
  }

  /** Call before asking the product service; every ticket must be settled once, with or without a value. */
  begin(anyCaseId: string): ReadTicket {
    const id = keyOf(anyCaseId);
    // Not tracked: what it fetches may predate a change no feed reported, whenever the cache is enabled again.
    if (!this.enabledNow) return { id, epoch: -1, generation: 0 };
    let reads = this.inFlight.get(id);
    if (reads === undefined) {
      reads = { count: 0, generation: 0 };
      this.inFlight.set(id, reads);
    }
    reads.count += 1;
    return { id, epoch: this.epoch, generation: reads.generation };
  }

  /** Ends a read; stores `value` only if nothing that could make it stale happened since begin(). */
  settle(ticket: ReadTicket, value?: CachedProduct): boolean {
    // Another epoch: its in-flight bookkeeping was dropped with the epoch, and its answer may be stale.
    if (ticket.epoch !== this.epoch || !this.enabledNow) return false;
    const reads = this.inFlight.get(ticket.id);
    if (reads === undefined) return false;
    reads.count -= 1;
    if (reads.count === 0) this.inFlight.delete(ticket.id);
    if (value === undefined || reads.generation !== ticket.generation) return false;
    this.store(ticket.id, value);
    return true;
  }

  /** The product changed: drop its entry, and keep the reads of it in flight from storing what they fetched. */
  invalidate(anyCaseId: string): void {
    const id = keyOf(anyCaseId);
    this.entries.delete(id);
    const reads = this.inFlight.get(id);
    if (reads !== undefined) reads.generation += 1;
  }

  private store(id: string, value: CachedProduct): void {
    this.entries.delete(id);
    this.entries.set(id, { value, storedAt: this.now() });
    if (this.entries.size > this.maxEntries) {
      // The first key in insertion order is the least recently used.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }
}
