// A promise with its resolvers, and whether it has settled.

export class Deferred<T> {
  readonly promise: Promise<T>;
  settled = false;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (reason: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
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
