// The resolved settings the session registry and the stateless path share.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Clock } from '@mcp-interceptors/core';
import type { McpHttpHandlerOptions } from '../mcp-http-handler.js';

export interface EndpointConfig {
  readonly options: McpHttpHandlerOptions;
  readonly sessionIdGenerator: () => string;
  /** Sessions open at once, at most (stateful mode). */
  readonly maxSessions: number;
  /** A session with no request for this long is closed; 0: never. */
  readonly sessionIdleMs: number;
  /** Times session idleness (the HTTP chain's clock). */
  readonly clock: Clock;
  /** Makes a server, wraps the transport with the JSON-RPC chain when there is one, connects; returns the server's close. */
  readonly connect: (transport: Transport) => Promise<() => Promise<void>>;
}
