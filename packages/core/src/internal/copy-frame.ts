// The chain's own copy of a frame: the frame, its params/result/error and their `_meta` are copied one level,
// so hooks can set keys without touching the object the SDK or the peer holds. Never a deep clone.
import type { JsonObject, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';

/**
 * `{ ...value }` for an object that is likely to get new keys. On Node 20 (V8 11), an object made by spread gets a
 * hidden class of its own as soon as a key is added to it: ~0.6 µs per add, and every later read of it misses the
 * inline caches. `Object.assign` onto a fresh literal does not. The two differ only for an own `__proto__` key
 * (assign would set the copy's prototype), so such an object keeps the spread.
 */
export function extensibleCopy<T extends object>(value: T): T {
  return Object.hasOwn(value, '__proto__') ? { ...value } : Object.assign({}, value);
}

/**
 * Params and their `_meta` get keys added (the correlation id, tracing's context, …), so their copies are made
 * extensible. A result is never added to in place (request-id replaces it), so the faster spread does there.
 */
function copyParams(value: JsonObject): JsonObject {
  const meta = value['_meta'];
  if (meta === undefined) return extensibleCopy(value);
  const copy = { ...value };
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) copy['_meta'] = extensibleCopy(meta as JsonObject);
  return copy;
}

function copyResult(value: JsonObject): JsonObject {
  const copy = { ...value };
  const meta = value['_meta'];
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) copy['_meta'] = { ...(meta as JsonObject) };
  return copy;
}

/**
 * The top level of a frame object, copied before anything else reads it; undefined for anything but an object.
 * Frames the SDK builds each have a hidden class of their own (it adds `jsonrpc` and `id` to a spread), so every
 * read of such a frame misses the inline caches; its copy shares one class with all the others.
 */
export function copyTopLevel(message: unknown): JsonObject | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  return { ...(message as JsonObject) };
}

/** Completes the copy of a request or notification made by `copyTopLevel`: params and their `_meta`. */
export function copyParamsOf<T extends JsonRpcRequest | JsonRpcNotification>(copy: T): T {
  // Without params, the copy may get them (to carry `_meta`).
  if (!('params' in copy)) return extensibleCopy(copy);
  if (copy.params !== undefined) copy.params = copyParams(copy.params);
  return copy;
}

/** Completes the copy of a response made by `copyTopLevel`: the result and its `_meta`, or the error. */
export function copyMembersOf(copy: JsonRpcResponse): JsonRpcResponse {
  return copyMembers(copy, copy);
}

export function copyMessage<T extends JsonRpcRequest | JsonRpcNotification>(frame: T): T {
  // Without params, the copy may get them (to carry `_meta`).
  if (frame.params === undefined) return extensibleCopy(frame);
  const copy = { ...frame };
  copy.params = copyParams(frame.params);
  return copy;
}

export function copyResponse(frame: JsonRpcResponse): JsonRpcResponse {
  return copyMembers({ ...frame }, frame);
}

/** Replaces the members of `copy` (a spread of `frame`) with copies; a spread with a key after it is slow too. */
function copyMembers(copy: JsonRpcResponse, frame: JsonRpcResponse): JsonRpcResponse {
  if ('result' in frame) {
    const result = frame.result;
    (copy as typeof frame).result = typeof result === 'object' && result !== null ? copyResult(result) : result;
  } else {
    const error = frame.error;
    (copy as typeof frame).error = typeof error === 'object' && error !== null ? { ...error } : error;
  }
  return copy;
}
