// A Request for the SDK transport that builds the real (costly) undici Request only if something beyond `method`,
// `url` and `headers` is read. The transport reads only those when it is given `parsedBody` (as @hono/node-server,
// which the SDK's own node transport uses, does the same).

const PROPERTIES = ['body', 'bodyUsed', 'cache', 'credentials', 'destination', 'integrity', 'mode', 'redirect', 'referrer', 'referrerPolicy', 'signal', 'keepalive', 'duplex'] as const;
const METHODS = ['arrayBuffer', 'blob', 'bytes', 'clone', 'formData', 'json', 'text'] as const;

class LazyRequest {
  private real: Request | undefined;
  private headerObject: Headers | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    private readonly makeHeaders: () => Headers,
  ) {}

  get headers(): Headers {
    return (this.headerObject ??= this.makeHeaders());
  }

  materialize(): Request {
    return (this.real ??= new Request(this.url, { method: this.method, headers: this.headers }));
  }
}

for (const name of PROPERTIES) {
  Object.defineProperty(LazyRequest.prototype, name, {
    get(this: LazyRequest) {
      return (this.materialize() as unknown as Record<string, unknown>)[name];
    },
  });
}
for (const name of METHODS) {
  Object.defineProperty(LazyRequest.prototype, name, {
    value(this: LazyRequest) {
      const real = this.materialize() as unknown as Record<string, () => unknown>;
      return (real[name] as () => unknown).call(real);
    },
  });
}

export function lazyRequest(method: string, url: string, makeHeaders: () => Headers): Request {
  return new LazyRequest(method, url, makeHeaders) as unknown as Request;
}
