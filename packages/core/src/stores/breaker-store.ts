// Where circuit-breaker state lives: the store interface (each call one atomic step, so a Redis store can run it as
// one Lua script with a probe lease) and the in-memory store, bounded by `maxKeys`.
import type { Awaitable } from '../interceptor.js';
import { positiveInt } from '../internal/options.js';
import { IdleLru, type IdleEntry } from './idle-lru.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/** The breaker's settings, as the store applies them. */
export interface BreakerPolicy {
  /** Failures within `windowMs` that open a closed circuit. */
  readonly failureThreshold: number;
  readonly windowMs: number;
  /** How long an open circuit refuses before it lets one probe through. */
  readonly openMs: number;
  /** How long a probe may stay out before another request may probe instead. */
  readonly probeTimeoutMs: number;
}

/** What a request was admitted under; handed back to `record` with its outcome. */
export interface BreakerTicket {
  /** When the ticket was issued, in the store's count of state changes; stale tickets are ignored. */
  readonly generation: number;
  /** Whether this request is the half-open probe. */
  readonly probe: boolean;
}

/** A state change, for `onStateChange`. */
export interface BreakerTransition {
  readonly from: CircuitState;
  readonly to: CircuitState;
  /** When it happened (epoch ms, the caller's clock or the shared store's). */
  readonly at: number;
}

export type BreakerAdmission =
  | { readonly allowed: true; readonly ticket: BreakerTicket; readonly transition?: BreakerTransition }
  | { readonly allowed: false; readonly state: CircuitState; readonly retryAfterMs: number };

/** `neutral`: says nothing about the far side (a cancellation, another interceptor's refusal); only frees a probe. */
export type BreakerOutcome = 'success' | 'failure' | 'neutral';

/**
 * Circuit state for many keys. Every method may return a promise, so a shared store can implement it (one script
 * per call, server time, a probe lease in place of `probeTimeoutMs` bookkeeping); the memory store is synchronous.
 */
export interface BreakerStore {
  /** Admits or refuses a request for `key` at `now`; admitting the first request after `openMs` makes it the probe. */
  acquire(key: string, policy: BreakerPolicy, now: number): Awaitable<BreakerAdmission>;
  /** Records how an admitted request ended; returns the state change it caused, if any. */
  record(key: string, ticket: BreakerTicket, outcome: BreakerOutcome, policy: BreakerPolicy, now: number): Awaitable<BreakerTransition | undefined>;
}

export interface MemoryBreakerStoreOptions {
  /**
   * Keys kept at most. A key holds state only while it has recent failures or is not closed; past the cap the least
   * recently used key is forgotten (and is closed again). @defaultValue 10_000
   */
  readonly maxKeys?: number;
}

/** A snapshot of one key, for health endpoints and tests. */
export interface BreakerSnapshot {
  readonly state: CircuitState;
  /** Failures within the window (closed state). */
  readonly failures: number;
  /** Open: when a probe may go; half-open with a probe out: when its lease ends. */
  readonly until: number | undefined;
}

interface Circuit extends IdleEntry {
  state: CircuitState;
  /** The generation this state began at: closed-state tickets older than it are stale. */
  since: number;
  /** The last `failureThreshold` failure times, oldest at `head` once full (closed state). */
  failures: number[];
  head: number;
  /** Open: when a probe may go. */
  openUntil: number;
  /** The window the failures were counted in. */
  windowMs: number;
  /** Half-open: the generation of the probe out, or 0 when none is. */
  probe: number;
  probeUntil: number;
}

/**
 * The in-memory breaker store: a closed circuit with no recent failure holds no memory at all.
 *
 * @example
 * const store = new MemoryBreakerStore({ maxKeys: 1000 });
 * const chain = createChain([circuitBreaker({ store })]);
 * store.get('search'); // { state: 'closed', failures: 0, until: undefined }
 */
export class MemoryBreakerStore implements BreakerStore {
  private readonly circuits: IdleLru<Circuit>;
  /** Counts state changes across all keys, so a ticket never matches a later state of its key by accident. */
  private generation = 1;

  constructor(options: MemoryBreakerStoreOptions = {}) {
    this.circuits = new IdleLru(positiveInt('MemoryBreakerStore.maxKeys', options.maxKeys, 10_000));
  }

  /** Keys holding state. */
  get size(): number {
    return this.circuits.size;
  }

  acquire(key: string, policy: BreakerPolicy, now: number): BreakerAdmission {
    const circuit = this.circuits.get(key);
    if (circuit === undefined || circuit.state === 'closed') return { allowed: true, ticket: { generation: this.generation, probe: false } };
    if (circuit.state === 'open') {
      if (now < circuit.openUntil) return { allowed: false, state: 'open', retryAfterMs: Math.max(1, Math.ceil(circuit.openUntil - now)) };
      circuit.state = 'half-open';
      circuit.since = ++this.generation;
      return { allowed: true, ticket: this.sendProbe(circuit, policy, now), transition: { from: 'open', to: 'half-open', at: now } };
    }
    // Half-open: one probe at a time; a probe whose lease ran out no longer blocks the next.
    if (circuit.probe !== 0 && now < circuit.probeUntil) return { allowed: false, state: 'half-open', retryAfterMs: Math.max(1, Math.ceil(circuit.probeUntil - now)) };
    return { allowed: true, ticket: this.sendProbe(circuit, policy, now) };
  }

  record(key: string, ticket: BreakerTicket, outcome: BreakerOutcome, policy: BreakerPolicy, now: number): BreakerTransition | undefined {
    const circuit = this.circuits.peek(key);
    if (circuit === undefined || circuit.state === 'closed') {
      // Only requests admitted while closed count here, and only failures need memory.
      if (ticket.probe || outcome !== 'failure' || (circuit !== undefined && ticket.generation < circuit.since)) return undefined;
      return this.fail(key, circuit, policy, now);
    }
    if (circuit.state === 'open' || !ticket.probe || ticket.generation !== circuit.probe) return undefined;
    if (outcome === 'neutral') {
      circuit.probe = 0;
      return undefined;
    }
    if (outcome === 'success') {
      this.enter(circuit, 'closed', policy, now);
      return { from: 'half-open', to: 'closed', at: now };
    }
    this.enter(circuit, 'open', policy, now);
    return { from: 'half-open', to: 'open', at: now };
  }

  /** The state of `key` at `now` (an open circuit past its `openMs` says open until a request comes to probe). */
  get(key: string, now: number): BreakerSnapshot {
    const circuit = this.circuits.peek(key);
    if (circuit === undefined) return { state: 'closed', failures: 0, until: undefined };
    if (circuit.state === 'closed') return { state: 'closed', failures: circuit.failures.filter((at) => now - at < circuit.windowMs).length, until: undefined };
    if (circuit.state === 'open') return { state: 'open', failures: 0, until: circuit.openUntil };
    return { state: 'half-open', failures: 0, until: circuit.probe === 0 ? undefined : circuit.probeUntil };
  }

  /** Forgets `key` (it is closed again). */
  reset(key: string): void {
    this.circuits.delete(key);
  }

  clear(): void {
    this.circuits.clear();
  }

  private sendProbe(circuit: Circuit, policy: BreakerPolicy, now: number): BreakerTicket {
    circuit.probe = ++this.generation;
    circuit.probeUntil = now + policy.probeTimeoutMs;
    return { generation: circuit.probe, probe: true };
  }

  private fail(key: string, existing: Circuit | undefined, policy: BreakerPolicy, now: number): BreakerTransition | undefined {
    let circuit = existing;
    if (circuit === undefined) {
      circuit = { state: 'closed', since: 0, failures: [], head: 0, openUntil: 0, windowMs: policy.windowMs, probe: 0, probeUntil: 0, idleAt: 0, key, older: undefined, newer: undefined };
      this.circuits.add(key, circuit, now);
    }
    const failures = circuit.failures;
    // A ring of the last `failureThreshold` failures: the threshold is reached when the oldest of them is recent.
    if (failures.length < policy.failureThreshold) {
      failures.push(now);
    } else {
      failures[circuit.head] = now;
      circuit.head = (circuit.head + 1) % failures.length;
    }
    circuit.windowMs = policy.windowMs;
    circuit.idleAt = now + policy.windowMs;
    const oldest = failures.length < policy.failureThreshold ? undefined : (failures[circuit.head] as number);
    if (oldest === undefined || now - oldest >= policy.windowMs) return undefined;
    this.enter(circuit, 'open', policy, now);
    return { from: 'closed', to: 'open', at: now };
  }

  private enter(circuit: Circuit, state: 'open' | 'closed', policy: BreakerPolicy, now: number): void {
    circuit.state = state;
    circuit.since = ++this.generation;
    circuit.failures = [];
    circuit.head = 0;
    circuit.probe = 0;
    circuit.openUntil = now + policy.openMs;
    // A closed circuit without failures is a fresh one; an open or half-open one keeps its state until it closes.
    circuit.idleAt = state === 'closed' ? now : Infinity;
  }
}
