// JSON-RPC 2.0 frame types as they travel on an MCP transport, and a cheap structural classifier.
// The SDK's zod schemas stay authoritative; this only decides which path a frame takes.

/** A request id. MCP excludes `null` (JSON-RPC allows it only in error responses). */
export type JsonRpcId = string | number;

/** A loose object: `params`, `result` and `_meta` allow extra keys. */
export type JsonObject = { [key: string]: unknown };

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: JsonObject;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonObject;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResultResponse {
  jsonrpc: '2.0';
  id: JsonRpcId;
  result: JsonObject;
}

export interface JsonRpcErrorResponse {
  jsonrpc: '2.0';
  /** `null` only when the request's id could not be read (JSON-RPC 2.0 §5). */
  id: JsonRpcId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResultResponse | JsonRpcErrorResponse;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** What a frame is, or why it is not a frame we can route. */
export type FrameKind =
  | { kind: 'request'; frame: JsonRpcRequest }
  | { kind: 'notification'; frame: JsonRpcNotification }
  | { kind: 'response'; frame: JsonRpcResponse }
  | { kind: 'malformed'; problem: string; id: JsonRpcId | null };

/** True for the ids MCP allows: a string or a safe integer. */
export function isJsonRpcId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
}

export function isErrorResponse(response: JsonRpcResponse): response is JsonRpcErrorResponse {
  return (response as JsonRpcErrorResponse).error !== undefined;
}

function readableId(frame: JsonObject): JsonRpcId | null {
  return isJsonRpcId(frame['id']) ? frame['id'] : null;
}

/** Where a well-formed frame goes: `classifyFrame`'s kind, without allocating; undefined for a malformed one. */
export type Route = 'request' | 'notification' | 'response';

/**
 * `classifyFrame(value).kind` for a well-formed frame, undefined for a malformed one, with the same checks in the
 * same order and no allocation: the transport routes every frame with it and asks `classifyFrame` only what is wrong.
 */
export function routeOf(value: unknown): Route | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const frame = value as JsonObject;
  if (frame['jsonrpc'] !== '2.0') return undefined;
  const params = frame['params'];
  if ('method' in frame) {
    const method = frame['method'];
    if (typeof method !== 'string' || method.length === 0) return undefined;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) return undefined;
    if (!('id' in frame) || frame['id'] === undefined) return 'notification';
    return isJsonRpcId(frame['id']) ? 'request' : undefined;
  }
  if ('result' in frame || 'error' in frame) {
    if (!isJsonRpcId(frame['id'])) return undefined;
    if ('error' in frame) {
      const error = frame['error'] as JsonObject | null;
      if (typeof error !== 'object' || error === null || typeof error['code'] !== 'number' || typeof error['message'] !== 'string') return undefined;
    } else if (typeof frame['result'] !== 'object' || frame['result'] === null) {
      return undefined;
    }
    return 'response';
  }
  return undefined;
}

/**
 * Classifies one frame by its shape. Checks only what routing depends on; an unknown top-level key is
 * left for the SDK's strict schemas to judge.
 */
export function classifyFrame(value: unknown): FrameKind {
  const route = routeOf(value);
  if (route !== undefined) return { kind: route, frame: value } as FrameKind;
  return whatIsWrong(value);
}

/** The problem with a frame `routeOf` found malformed. */
function whatIsWrong(value: unknown): FrameKind {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'malformed', problem: `a JSON-RPC frame must be an object, got ${describeType(value)}`, id: null };
  }
  const frame = value as JsonObject;
  if (frame['jsonrpc'] !== '2.0') {
    return { kind: 'malformed', problem: `"jsonrpc" must be "2.0", got ${describeValue(frame['jsonrpc'])}`, id: readableId(frame) };
  }
  const params = frame['params'];
  if ('method' in frame) {
    const method = frame['method'];
    if (typeof method !== 'string' || method.length === 0) {
      return { kind: 'malformed', problem: `"method" must be a non-empty string, got ${describeValue(method)}`, id: readableId(frame) };
    }
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      return { kind: 'malformed', problem: `"params" of ${method} must be an object, got ${describeType(params)}`, id: readableId(frame) };
    }
    if (!('id' in frame) || frame['id'] === undefined) return { kind: 'notification', frame: frame as unknown as JsonRpcNotification };
    if (!isJsonRpcId(frame['id'])) {
      return { kind: 'malformed', problem: `"id" must be a string or an integer, got ${describeValue(frame['id'])}`, id: null };
    }
    return { kind: 'request', frame: frame as unknown as JsonRpcRequest };
  }
  if ('result' in frame || 'error' in frame) {
    if (!isJsonRpcId(frame['id'])) {
      return { kind: 'malformed', problem: `a response "id" must be a string or an integer, got ${describeValue(frame['id'])}`, id: null };
    }
    if ('error' in frame) {
      const error = frame['error'] as JsonObject | null;
      if (typeof error !== 'object' || error === null || typeof error['code'] !== 'number' || typeof error['message'] !== 'string') {
        return { kind: 'malformed', problem: '"error" must be an object with a numeric "code" and a string "message"', id: frame['id'] };
      }
    } else if (typeof frame['result'] !== 'object' || frame['result'] === null) {
      return { kind: 'malformed', problem: '"result" must be an object', id: frame['id'] };
    }
    return { kind: 'response', frame: frame as unknown as JsonRpcResponse };
  }
  return { kind: 'malformed', problem: 'a frame needs "method" (request, notification) or "result"/"error" (response)', id: readableId(frame) };
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return describeType(value);
}
