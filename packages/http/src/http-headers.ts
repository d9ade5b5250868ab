// Response headers as the HTTP chain builds them: a small case-insensitive map with the `Headers` methods interceptors
// use (get, set, append, has, delete, forEach, getSetCookie). Cheaper than a WHATWG `Headers` on every request.

export class HttpHeaders {
  private readonly map = new Map<string, string>();
  private cookies: string[] | undefined;

  constructor(init?: Headers | HttpHeaders | Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>) {
    if (init === undefined) return;
    if (init instanceof HttpHeaders || (typeof Headers !== 'undefined' && init instanceof Headers)) {
      init.forEach((value, name) => this.append(name, value));
      // A WHATWG Headers joins Set-Cookie in forEach: take the list instead.
      if (!(init instanceof HttpHeaders) && init.has('set-cookie')) {
        this.delete('set-cookie');
        for (const cookie of init.getSetCookie()) this.append('set-cookie', cookie);
      }
      return;
    }
    const entries = Array.isArray(init) ? (init as ReadonlyArray<readonly [string, string]>) : Object.entries(init as Record<string, string>);
    for (const [name, value] of entries) this.append(name, value);
  }

  get(name: string): string | null {
    const key = name.toLowerCase();
    if (key === 'set-cookie') return this.cookies === undefined ? null : this.cookies.join(', ');
    return this.map.get(key) ?? null;
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return key === 'set-cookie' ? this.cookies !== undefined : this.map.has(key);
  }

  set(name: string, value: string): void {
    const key = name.toLowerCase();
    if (key === 'set-cookie') this.cookies = [String(value)];
    else this.map.set(key, String(value));
  }

  /** Adds a value: Set-Cookie values stay separate, others are joined with `, `. */
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    if (key === 'set-cookie') {
      (this.cookies ??= []).push(String(value));
      return;
    }
    const current = this.map.get(key);
    this.map.set(key, current === undefined ? String(value) : `${current}, ${value}`);
  }

  delete(name: string): void {
    const key = name.toLowerCase();
    if (key === 'set-cookie') this.cookies = undefined;
    else this.map.delete(key);
  }

  getSetCookie(): string[] {
    return this.cookies === undefined ? [] : [...this.cookies];
  }

  /** Every header once, Set-Cookie joined (as `Headers.forEach`); use `getSetCookie()` for the separate values. */
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.map) callback(value, name);
    if (this.cookies !== undefined) callback(this.cookies.join(', '), 'set-cookie');
  }

  /** Name/value pairs with one pair per Set-Cookie value: the form `new Response(body, { headers })` accepts. */
  pairs(): Array<[string, string]> {
    const out: Array<[string, string]> = [...this.map];
    if (this.cookies !== undefined) for (const cookie of this.cookies) out.push(['set-cookie', cookie]);
    return out;
  }

  /** A plain record (Set-Cookie as an array), e.g. for logs. */
  toRecord(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.fromEntries(this.map);
    if (this.cookies !== undefined) out['set-cookie'] = [...this.cookies];
    return out;
  }
}
