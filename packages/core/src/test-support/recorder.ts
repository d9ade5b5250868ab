// Test support: an interceptor that records which hooks ran, in order, as `name:hook:direction:method[:code]`.
// Calls of the fixture's `inspect` tool are not recorded: they are how a test reads the record.
import type { InterceptorContext } from '../context.js';
import type { Priority} from '../interceptor.js';
import { type Interceptor } from '../interceptor.js';

export function recorder(name: string, priority: Priority, log: string[]): Interceptor {
  const skipped = new WeakSet<InterceptorContext>();
  const tag = (ctx: InterceptorContext): string => (ctx.direction === 'inbound' ? 'in' : 'out');
  return {
    name,
    priority,
    onRequest: (req, ctx) => {
      if (req.method === 'tools/call' && req.params?.['name'] === 'inspect') skipped.add(ctx);
      else log.push(`${name}:req:${tag(ctx)}:${req.method}`);
    },
    onResponse: (res, ctx) => {
      if (!skipped.has(ctx)) log.push(`${name}:res:${tag(ctx)}:${ctx.method}${'error' in res ? `:${res.error.code}` : ''}`);
    },
    onNotification: (n, ctx) => {
      log.push(`${name}:note:${tag(ctx)}:${n.method}${ctx.related ? `<${ctx.related.method}` : ''}`);
    },
  };
}
