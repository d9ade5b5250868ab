// Deadlines of one duration on one clock, kept in a list in the order they were set, which is their order of expiry:
// one armed timer serves them all. A request answered in time unlinks its deadline and leaves the timer alone; a
// timer per request would cost a Timeout object (with its async hooks) and a clearTimeout on every exchange.
import type { Clock, TimerHandle } from '../clock.js';

/** One pending deadline; `cancel` it when it no longer applies. */
export class Deadline {
  prev: Deadline | undefined = undefined;
  next: Deadline | undefined = undefined;
  queued = true;

  constructor(
    readonly at: number,
    readonly onExpire: () => void,
  ) {}
}

export class DeadlineQueue {
  private head: Deadline | undefined = undefined;
  private tail: Deadline | undefined = undefined;
  /** The armed timer; it may outlive the deadline it was armed for (then it finds nothing due and re-arms). */
  private timer: TimerHandle | undefined = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
  ) {}

  /** Calls `onExpire` once `ms` have passed on the clock, unless the deadline is cancelled first. */
  add(onExpire: () => void): Deadline {
    const deadline = new Deadline(this.clock.now() + this.ms, onExpire);
    deadline.prev = this.tail;
    if (this.tail === undefined) this.head = deadline;
    else this.tail.next = deadline;
    this.tail = deadline;
    if (this.timer === undefined) this.arm(deadline.at);
    return deadline;
  }

  /** The deadline no longer applies. The timer is left armed: when it fires with nothing due, it re-arms or stops. */
  cancel(deadline: Deadline): void {
    if (deadline.queued) this.unlink(deadline);
  }

  /** True while some deadline is pending. */
  get pending(): boolean {
    return this.head !== undefined;
  }

  private arm(at: number): void {
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, at - this.clock.now()));
  }

  private unlink(deadline: Deadline): void {
    deadline.queued = false;
    const { prev, next } = deadline;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    deadline.prev = undefined;
    deadline.next = undefined;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    let head = this.head;
    while (head !== undefined && head.at <= now) {
      this.unlink(head);
      try {
        head.onExpire();
      } catch (error) {
        // As from a timer of its own: uncaught, yet the deadlines after it still expire.
        queueMicrotask(() => {
          throw error;
        });
      }
      head = this.head;
    }
    // A timer can fire a little before the clock reaches the head's deadline (timers count whole loop milliseconds).
    if (head !== undefined && this.timer === undefined) this.arm(head.at);
  };
}
