// A promise with its resolvers, and whether it has settled.

// One executor for every Deferred: it hands the resolvers over through these two slots (the Promise constructor
// calls it synchronously), so making a Deferred allocates no closure. Two are made per request.
let nextResolve: ((value: never) => void) | undefined;
let nextReject: ((reason: unknown) => void) | undefined;
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  nextResolve = resolve;
  nextReject = reject;
}

export class Deferred<T> {
  readonly promise: Promise<T>;
  settled = false;
  private readonly resolveFn: (value: T) => void;
  private readonly rejectFn: (reason: unknown) => void;

  constructor() {
    this.promise = new Promise<T>(capture);
    this.resolveFn = nextResolve as (value: T) => void;
    this.rejectFn = nextReject as (reason: unknown) => void;
    nextResolve = undefined;
    nextReject = undefined;
  }

  resolve(value: T): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.resolveFn(value);
    return true;
  }

  reject(reason: unknown): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.rejectFn(reason);
    return true;
  }
}
