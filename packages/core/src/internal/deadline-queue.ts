// Deadlines of one duration on one clock, kept in a list in the order they were set, which is their order of expiry:
// one armed timer serves them all. On the system clock, a request answered in time unlinks its deadline and leaves the
// timer alone (it is unref'd, and stops when it fires with nothing queued); a timer per request would cost a Timeout
// object (with its async hooks) and a clearTimeout on every exchange. Other clocks (a test's, or one whose timers
// keep the process alive) get their timer cleared as soon as no deadline is left, as a timer per request would be.
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { LiveList, type Linked } from './live-list.js';

/** One pending deadline; `cancel` it when it no longer applies. */
export class Deadline implements Linked<Deadline> {
  liveBefore: Deadline | undefined = undefined;
  liveAfter: Deadline | undefined = undefined;
  inLiveList = false;

  constructor(
    readonly at: number,
    readonly onExpire: () => void,
  ) {}
}

export class DeadlineQueue {
  /** In the order they were set, which is their order of expiry. */
  private readonly deadlines = new LiveList<Deadline>();
  /** The armed timer; it may outlive the deadline it was armed for (then it finds nothing due and re-arms). */
  private timer: TimerHandle | undefined = undefined;
  /** The deadline the armed timer is for: once it fires, that time counts as reached, whatever `now()` says. */
  private armedAt = 0;
  /** True while expiring deadlines: one added meanwhile is armed for when they are done. */
  private firing = false;
  /** The system clock's timers are unref'd: one may stay armed with nothing queued. */
  private readonly lazy: boolean;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
  ) {
    this.lazy = clock === systemClock;
  }

  /** Calls `onExpire` once `ms` have passed on the clock, unless the deadline is cancelled first. */
  add(onExpire: () => void): Deadline {
    const deadline = new Deadline(this.clock.now() + this.ms, onExpire);
    this.deadlines.add(deadline);
    if (this.timer === undefined && !this.firing) this.arm((this.deadlines.first as Deadline).at);
    return deadline;
  }

  /** The deadline no longer applies. On the system clock the timer is left armed: it re-arms or stops when it fires. */
  cancel(deadline: Deadline): void {
    this.deadlines.delete(deadline);
    if (this.deadlines.size === 0 && !this.lazy && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** True while some deadline is pending. */
  get pending(): boolean {
    return this.deadlines.size > 0;
  }

  private arm(at: number): void {
    this.armedAt = at;
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, at - this.clock.now()));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    // A timer may fire a little before `now()` reaches its time (Node counts whole loop milliseconds), or on a clock
    // whose `now()` does not follow its timers: the deadline it was armed for is due all the same, as with a timer
    // of its own.
    const now = Math.max(this.clock.now(), this.armedAt);
    this.firing = true;
    // Deadlines added by the callbacks below wait for a later firing, even on a clock whose now() stands still.
    const last = this.deadlines.last;
    let head = this.deadlines.first;
    try {
      while (head !== undefined && head.at <= now) {
        this.deadlines.delete(head);
        try {
          head.onExpire();
        } catch (error) {
          // As from a timer of its own: uncaught, yet the deadlines after it still expire.
          queueMicrotask(() => {
            throw error;
          });
        }
        if (head === last) break;
        head = this.deadlines.first;
      }
      head = this.deadlines.first;
    } finally {
      this.firing = false;
    }
    if (head !== undefined) this.arm(head.at);
  };
}
