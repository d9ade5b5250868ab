// validation: rejects frames that are not well-formed JSON-RPC 2.0 (and, in strict mode, MCP requests whose params
// do not match their method) before any later interceptor or the handler sees them.
import type { Direction, InterceptorContext } from '../context.js';
import { ErrorCode, InterceptorError } from '../errors.js';
import { MCP_METHODS } from '../internal/exchange-end.js';
import { boolean, optionsObject, positiveInt } from '../internal/options.js';
import { DROP, Priority, type Interceptor } from '../interceptor.js';
import { isJsonRpcId, type JsonObject, type JsonRpcNotification, type JsonRpcRequest } from '../jsonrpc.js';

export interface ValidationOptions {
  /** Also check the params of the MCP methods we know (`tools/call`, `resources/read`, `prompts/get`, `initialize`, cancellation, progress). @defaultValue false */
  readonly strict?: boolean;
  /** Deepest nesting of objects and arrays allowed in `params`. @defaultValue 64 */
  readonly maxDepth?: number;
  /** Longest method name allowed. @defaultValue 256 */
  readonly maxMethodLength?: number;
  /** Which traffic is checked: what we receive, and optionally what our own side sends. @defaultValue ['inbound'] */
  readonly directions?: readonly Direction[];
}

/** The reason of every rejection; match on it, never on the message. */
export type ValidationReason = 'INVALID_REQUEST' | 'INVALID_PARAMS';

/** Counter of dropped invalid notifications, labelled `{ method, reason }` (`method`: an MCP method, `other`, or `invalid` when the method was the problem). */
export const VALIDATION_DROPPED_METRIC = 'mcp.validation.dropped';
/** Counter of rejected invalid requests, labelled like {@link VALIDATION_DROPPED_METRIC}. */
export const VALIDATION_REJECTED_METRIC = 'mcp.validation.rejected';

const TOP_LEVEL_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
// Whitespace and C0/C1 control characters never belong in a method name.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BAD_METHOD_CHAR = /[\s\u0000-\u001f\u007f-\u009f]/;

type Check = (params: JsonObject, problems: string[]) => void;

/** MCP 2025-11-25 params, per method (strict mode). Messages name the field: `params.name must be a string`. */
const STRICT_CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['tools/call', (p, out) => (requireString(p, 'name', out), optionalObject(p, 'arguments', out))],
  ['resources/read', (p, out) => requireString(p, 'uri', out)],
  ['prompts/get', (p, out) => (requireString(p, 'name', out), optionalObject(p, 'arguments', out))],
  [
    'initialize',
    (p, out) => {
      requireString(p, 'protocolVersion', out);
      if (!isObject(p['capabilities'])) out.push('params.capabilities must be an object');
      const info = p['clientInfo'];
      if (!isObject(info)) out.push('params.clientInfo must be an object with a string name and version');
      else {
        if (typeof info['name'] !== 'string') out.push('params.clientInfo.name must be a string');
        if (typeof info['version'] !== 'string') out.push('params.clientInfo.version must be a string');
      }
    },
  ],
  ['notifications/cancelled', (p, out) => void (!isJsonRpcId(p['requestId']) && out.push('params.requestId must be a string or an integer'))],
  [
    'notifications/progress',
    (p, out) => {
      if (!isJsonRpcId(p['progressToken'])) out.push('params.progressToken must be a string or an integer');
      if (typeof p['progress'] !== 'number' || !Number.isFinite(p['progress'])) out.push('params.progress must be a finite number');
      if (p['total'] !== undefined && (typeof p['total'] !== 'number' || !Number.isFinite(p['total']))) out.push('params.total must be a finite number');
    },
  ],
]);

/**
 * Checks every frame against JSON-RPC 2.0: `jsonrpc: "2.0"`, a string or integer id, a method name that is a
 * non-empty string without whitespace or control characters (and not `rpc.*`, reserved by JSON-RPC), params that
 * are an object no deeper than `maxDepth`. Strict mode adds MCP's params per method and rejects unknown top-level
 * keys. A bad request is answered with -32600 `INVALID_REQUEST` (frame) or -32602 `INVALID_PARAMS` (params), with
 * `data.problems` listing each problem; a bad notification is dropped and counted.
 *
 * @example
 * const chain = createChain([requestId(), validation({ strict: true })]);
 */
export function validation(options: ValidationOptions = {}): Interceptor {
  optionsObject('validation', options);
  const strict = boolean('validation.strict', options.strict, false);
  const maxDepth = positiveInt('validation.maxDepth', options.maxDepth, 64);
  const maxMethodLength = positiveInt('validation.maxMethodLength', options.maxMethodLength, 256);
  const directions = directionsOption(options.directions);

  /** Problems with the frame itself (-32600), then with its params (-32602). */
  function inspect(frame: JsonRpcRequest | JsonRpcNotification, isRequest: boolean): { reason: ValidationReason; problems: string[] } | undefined {
    const problems: string[] = [];
    const raw = frame as unknown as JsonObject;
    if (raw['jsonrpc'] !== '2.0') problems.push('jsonrpc must be "2.0"');
    if (isRequest && !isJsonRpcId(raw['id'])) problems.push('id must be a string or an integer');
    const method: unknown = raw['method'];
    if (typeof method !== 'string' || method.length === 0) problems.push('method must be a non-empty string');
    else if (method.length > maxMethodLength) problems.push(`method must be at most ${maxMethodLength} characters`);
    else if (BAD_METHOD_CHAR.test(method)) problems.push('method must not contain whitespace or control characters');
    else if (method.startsWith('rpc.')) problems.push('method names beginning with "rpc." are reserved by JSON-RPC 2.0');
    if (strict) {
      for (const key of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(key)) problems.push(`unknown top-level member ${JSON.stringify(key.slice(0, 40))}`);
    }
    if (problems.length > 0) return { reason: 'INVALID_REQUEST', problems };

    const params: unknown = raw['params'];
    if (params !== undefined && !isObject(params)) problems.push(`params must be an object, got ${Array.isArray(params) ? 'an array' : params === null ? 'null' : typeof params}`);
    else if (params !== undefined && exceedsDepth(params, maxDepth)) problems.push(`params must not be nested deeper than ${maxDepth} levels`);
    else if (strict) STRICT_CHECKS.get(method as string)?.(params ?? {}, problems);
    return problems.length > 0 ? { reason: 'INVALID_PARAMS', problems } : undefined;
  }

  const checks = (ctx: InterceptorContext): boolean => directions.has(ctx.direction);

  return {
    name: 'validation',
    priority: Priority.Critical,
    onRequest(request, ctx) {
      if (!checks(ctx)) return;
      const invalid = inspect(request, true);
      if (invalid === undefined) return;
      ctx.metrics.increment(VALIDATION_REJECTED_METRIC, { method: methodLabel(ctx.method, invalid.reason), reason: invalid.reason });
      const code = invalid.reason === 'INVALID_REQUEST' ? ErrorCode.InvalidRequest : ErrorCode.InvalidParams;
      const title = invalid.reason === 'INVALID_REQUEST' ? 'Invalid Request' : 'Invalid params';
      throw new InterceptorError(code, `${title}: ${invalid.problems.join('; ')}`, { reason: invalid.reason, problems: invalid.problems });
    },
    onNotification(notification, ctx) {
      if (!checks(ctx)) return;
      const invalid = inspect(notification, false);
      if (invalid === undefined) return;
      // A notification has no response to carry an error: drop it, and count it.
      ctx.metrics.increment(VALIDATION_DROPPED_METRIC, { method: methodLabel(ctx.method, invalid.reason), reason: invalid.reason });
      return DROP;
    },
  };
}

/** Metric labels stay bounded: a peer choosing method names cannot create series. */
function methodLabel(method: string, reason: ValidationReason): string {
  if (reason === 'INVALID_REQUEST') return 'invalid';
  return MCP_METHODS.has(method) ? method : 'other';
}

function directionsOption(value: unknown): ReadonlySet<Direction> {
  if (value === undefined) return new Set(['inbound']);
  if (!Array.isArray(value) || value.length === 0 || value.some((d) => d !== 'inbound' && d !== 'outbound')) {
    throw new TypeError(`validation.directions must be a non-empty array of 'inbound' and 'outbound'`);
  }
  return new Set(value as Direction[]);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(params: JsonObject, key: string, out: string[]): void {
  if (typeof params[key] !== 'string') out.push(`params.${key} must be a string`);
}

function optionalObject(params: JsonObject, key: string, out: string[]): void {
  if (params[key] !== undefined && !isObject(params[key])) out.push(`params.${key} must be an object when present`);
}

/** Nesting walked by recursion, which allocates nothing; deeper, the walk goes on with explicit stacks. */
const RECURSION_LIMIT = 200;

/** Whether any object or array in `root` sits deeper than `maxDepth` (`root` itself is level 1). */
function exceedsDepth(root: object, maxDepth: number): boolean {
  return deeperThan(root, 1, maxDepth);
}

/** Whether a descendant of `node` (at `depth`) sits deeper than `maxDepth`. Own members only, like Object.values. */
function deeperThan(node: object, depth: number, maxDepth: number): boolean {
  if (depth >= RECURSION_LIMIT) return deeperThanByStack(node, depth, maxDepth);
  const childDepth = depth + 1;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (typeof child === 'object' && child !== null && (childDepth > maxDepth || deeperThan(child, childDepth, maxDepth))) return true;
    }
    return false;
  }
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    const child: unknown = (node as JsonObject)[key];
    if (typeof child === 'object' && child !== null && (childDepth > maxDepth || deeperThan(child, childDepth, maxDepth))) return true;
  }
  return false;
}

/** `deeperThan` without recursion (a hostile frame must not overflow our stack); stops at the first too-deep node. */
function deeperThanByStack(root: object, rootDepth: number, maxDepth: number): boolean {
  const nodes: object[] = [root];
  const depths: number[] = [rootDepth];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const childDepth = (depths.pop() as number) + 1;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child !== 'object' || child === null) continue;
      if (childDepth > maxDepth) return true;
      nodes.push(child);
      depths.push(childDepth);
    }
  }
  return false;
}
