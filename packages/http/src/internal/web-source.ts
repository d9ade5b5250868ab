// A web-standard `Request` (Hono, Workers, Bun) as a RequestSource: the body streamed with a byte cap.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { HeaderValues } from '@mcp-interceptors/core';
import { concat, TOO_LARGE, type RequestSource } from './request-source.js';

export class WebRequestSource implements RequestSource {
  readonly method: string;
  readonly target: string;
  readonly preParsed = undefined;
  readonly initialAuth = undefined;
  private readonly parsedUrl: URL;
  private headerRecord: HeaderValues | undefined;

  constructor(
    private readonly request: Request,
    readonly remoteAddress: string | undefined = undefined,
  ) {
    this.method = request.method;
    this.parsedUrl = new URL(request.url);
    this.target = this.parsedUrl.pathname + this.parsedUrl.search;
  }

  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined;
  }

  headers(): HeaderValues {
    if (this.headerRecord === undefined) {
      const record: Record<string, string | string[]> = {};
      for (const [name, value] of this.request.headers) record[name] = value;
      const cookies = this.request.headers.getSetCookie();
      if (cookies.length > 0) record['set-cookie'] = cookies;
      this.headerRecord = record;
    }
    return this.headerRecord;
  }

  url(): URL {
    return this.parsedUrl;
  }

  async readBody(maxBytes: number): Promise<Uint8Array | typeof TOO_LARGE> {
    const body = this.request.body;
    if (body === null || this.request.bodyUsed) return new Uint8Array(0);
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return TOO_LARGE;
      }
      chunks.push(value);
    }
    return concat(chunks, size);
  }

  toRequest(): Request {
    return this.request;
  }

  setAuth(_auth: AuthInfo | undefined): void {
    // A web Request has nowhere to carry it; the transport receives `ctx.auth` directly.
  }
}
