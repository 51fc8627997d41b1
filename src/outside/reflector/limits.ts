/**
 * The reflector's memory is bounded like everything else it does: a replay cache of nonces and a token bucket per
 * source address, each capped in entries and in time. When either is full of live entries the reflector refuses
 * (fails closed) rather than forget a nonce or a source early.
 */

export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  /** 'fresh' and remembered; 'replayed' when seen within the TTL; 'full' when no room is left. */
  remember(nonce: string, now: number): 'fresh' | 'replayed' | 'full' {
    const expires = this.seen.get(nonce);
    if (expires !== undefined && expires > now) return 'replayed';
    if (this.seen.size >= this.maxEntries) this.prune(now);
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(nonce, now + this.ttlMs);
    return 'fresh';
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    for (const [nonce, expires] of this.seen) if (expires <= now) this.seen.delete(nonce);
  }
}

export interface RateLimitOptions {
  /** Requests a source may make at once after a quiet spell. */
  burst: number;
  /** One more request is allowed every this many ms. */
  refillMs: number;
  /** Sources tracked at once. */
  maxSources: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** A token bucket per source address. A bucket that has refilled completely is the same as none, so it is dropped. */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  constructor(private readonly options: RateLimitOptions) {}

  /** 'allowed' (a token taken), 'limited' (retry after `retryAfterMs`) or 'full' (too many sources tracked). */
  take(source: string, now: number): { outcome: 'allowed' | 'limited' | 'full'; retryAfterMs: number } {
    const { burst, refillMs, maxSources } = this.options;
    let bucket = this.buckets.get(source);
    if (!bucket) {
      if (this.buckets.size >= maxSources) this.prune(now);
      if (this.buckets.size >= maxSources) return { outcome: 'full', retryAfterMs: refillMs };
      bucket = { tokens: burst, updatedAt: now };
      this.buckets.set(source, bucket);
    }
    const refilled = Math.floor((now - bucket.updatedAt) / refillMs);
    if (refilled > 0) {
      bucket.tokens = Math.min(burst, bucket.tokens + refilled);
      bucket.updatedAt = bucket.tokens === burst ? now : bucket.updatedAt + refilled * refillMs;
    }
    if (bucket.tokens < 1) return { outcome: 'limited', retryAfterMs: bucket.updatedAt + refillMs - now };
    bucket.tokens -= 1;
    return { outcome: 'allowed', retryAfterMs: 0 };
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    const fullAfter = this.options.burst * this.options.refillMs;
    for (const [source, bucket] of this.buckets) if (now - bucket.updatedAt >= fullAfter) this.buckets.delete(source);
  }
}
