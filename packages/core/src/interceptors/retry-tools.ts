// What retry() learns from `tools/list`: which tools the server marked read-only or idempotent, so their
// `tools/call` may be sent again.
import type { JsonObject } from '../jsonrpc.js';

/**
 * Updates `into` from one `tools/list` result (one page): a tool with `annotations.readOnlyHint` or
 * `annotations.idempotentHint` set to true is added, any other listed tool is removed. Keeps at most `max`
 * names, forgetting the least recently listed first.
 */
export function learnRetryableTools(result: JsonObject, into: Set<string>, max: number): void {
  const tools = result['tools'];
  if (!Array.isArray(tools)) return;
  for (const tool of tools as unknown[]) {
    if (typeof tool !== 'object' || tool === null) continue;
    const name = (tool as JsonObject)['name'];
    if (typeof name !== 'string') continue;
    into.delete(name);
    const hints = (tool as JsonObject)['annotations'];
    if (typeof hints !== 'object' || hints === null) continue;
    if ((hints as JsonObject)['readOnlyHint'] !== true && (hints as JsonObject)['idempotentHint'] !== true) continue;
    into.add(name);
    if (into.size > max) into.delete(into.values().next().value as string);
  }
}
