// Test support (not published): one web Request through an HTTP chain, without a server.
import type { HttpChain } from '../http-chain.js';
import type { HttpContext, HttpExchange } from '../http-context.js';
import type { HttpHeaders } from '../http-headers.js';
import { WebRequestSource } from '../internal/web-source.js';

export interface ChainRun {
  readonly ctx: HttpExchange;
  readonly status: number;
  readonly headers: HttpHeaders;
  /** The response body as text (streams read to the end). */
  readonly text: string;
  json(): unknown;
  readonly terminalCalls: number;
}

/** Runs `request` through `chain`; the terminal answers 200 `{"ok":true}` unless given. */
export async function runChain(chain: HttpChain, request: Request | string, terminal?: (ctx: HttpContext) => Promise<void> | void): Promise<ChainRun> {
  const req = typeof request === 'string' ? new Request(request) : request;
  const ctx = chain.createContext(new WebRequestSource(req, '127.0.0.1'));
  let terminalCalls = 0;
  await chain.run(ctx, async (c) => {
    terminalCalls++;
    if (terminal) await terminal(c);
    else c.respond(200, { ok: true });
  });
  const body = ctx.response.body;
  const text = body === null ? '' : typeof body === 'string' ? body : await new Response(body).text();
  return { ctx, status: ctx.response.status, headers: ctx.response.headers, text, json: () => JSON.parse(text), terminalCalls };
}
