// The resolved settings the session registry and the stateless path share.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpHttpHandlerOptions } from '../mcp-http-handler.js';

export interface EndpointConfig {
  readonly options: McpHttpHandlerOptions;
  readonly sessionIdGenerator: () => string;
  /** Sessions open at once, at most (stateful mode). */
  readonly maxSessions: number;
  /** Makes a server, wraps the transport with the JSON-RPC chain when there is one, connects; returns the server's close. */
  readonly connect: (transport: Transport) => Promise<() => Promise<void>>;
}
