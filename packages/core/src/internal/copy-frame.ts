// The chain's own copy of a frame: the frame, its params/result/error and their `_meta` are copied one level,
// so hooks can set keys without touching the object the SDK or the peer holds. Never a deep clone.
import type { JsonObject, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from '../jsonrpc.js';

function copyWithMeta(value: JsonObject): JsonObject {
  const copy = { ...value };
  const meta = value['_meta'];
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta)) copy['_meta'] = { ...(meta as JsonObject) };
  return copy;
}

export function copyMessage<T extends JsonRpcRequest | JsonRpcNotification>(frame: T): T {
  const copy = { ...frame };
  if (frame.params !== undefined) copy.params = copyWithMeta(frame.params);
  return copy;
}

export function copyResponse(frame: JsonRpcResponse): JsonRpcResponse {
  if ('result' in frame) {
    const result = frame.result;
    return { ...frame, result: typeof result === 'object' && result !== null ? copyWithMeta(result) : result };
  }
  const error = frame.error;
  return { ...frame, error: typeof error === 'object' && error !== null ? { ...error } : error };
}
