// What one wrapped transport knows about its connection: learned from `initialize` and read live from the transport.

export type Side = 'client' | 'server';
export type TransportKind = 'stdio' | 'http' | 'sse' | 'in-memory' | 'websocket' | 'unknown';

export interface PeerInfo {
  readonly name: string;
  readonly version: string;
  readonly [key: string]: unknown;
}

export interface SessionInfo {
  readonly side: Side;
  readonly transport: TransportKind;
  /** Read live from the wrapped transport (Streamable HTTP assigns it during `initialize`). */
  readonly sessionId: string | undefined;
  /** The negotiated protocol version, once `initialize` has completed. */
  readonly protocolVersion: string | undefined;
  readonly clientInfo: PeerInfo | undefined;
  readonly serverInfo: PeerInfo | undefined;
  readonly clientCapabilities: Readonly<Record<string, unknown>> | undefined;
  readonly serverCapabilities: Readonly<Record<string, unknown>> | undefined;
}

/** Mutable session state owned by one wrapped transport. */
export class SessionState implements SessionInfo {
  protocolVersion: string | undefined;
  clientInfo: PeerInfo | undefined;
  serverInfo: PeerInfo | undefined;
  clientCapabilities: Readonly<Record<string, unknown>> | undefined;
  serverCapabilities: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly side: Side,
    readonly transport: TransportKind,
    private readonly readSessionId: () => string | undefined,
  ) {}

  get sessionId(): string | undefined {
    return this.readSessionId();
  }

  /** Learns from an `initialize` request's params (the client's side of the handshake). */
  learnFromInitializeRequest(params: Record<string, unknown> | undefined): void {
    if (params === undefined) return;
    if (isPeerInfo(params['clientInfo'])) this.clientInfo = params['clientInfo'];
    if (isRecord(params['capabilities'])) this.clientCapabilities = params['capabilities'];
  }

  /** Learns from an `initialize` result (the server's side, and the negotiated version). */
  learnFromInitializeResult(result: Record<string, unknown> | undefined): void {
    if (result === undefined) return;
    if (typeof result['protocolVersion'] === 'string') this.protocolVersion = result['protocolVersion'];
    if (isPeerInfo(result['serverInfo'])) this.serverInfo = result['serverInfo'];
    if (isRecord(result['capabilities'])) this.serverCapabilities = result['capabilities'];
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPeerInfo(value: unknown): value is PeerInfo {
  return isRecord(value) && typeof value['name'] === 'string' && typeof value['version'] === 'string';
}

/** Names the transport from its class, so logs and spans can say `network.transport`. */
export function detectTransportKind(transport: object): TransportKind {
  const name = transport.constructor?.name ?? '';
  if (name.startsWith('Stdio')) return 'stdio';
  if (name.includes('StreamableHTTP')) return 'http';
  if (name.startsWith('SSE')) return 'sse';
  if (name === 'InMemoryTransport') return 'in-memory';
  if (name.startsWith('WebSocket')) return 'websocket';
  return 'unknown';
}
