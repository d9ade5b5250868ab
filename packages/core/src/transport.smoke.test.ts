import { describe, expect, it } from 'vitest';
import { Priority, type Interceptor } from './interceptor.js';
import { connectPair } from './test-support/pair.js';

describe('smoke', () => {
  it('calls a tool through chains on both sides', async () => {
    const log: string[] = [];
    const rec = (name: string, priority: Priority): Interceptor => ({
      name,
      priority,
      onRequest: (req, ctx) => void log.push(`${ctx.side}:${name}:req:${req.method}`),
      onResponse: (_res, ctx) => void log.push(`${ctx.side}:${name}:res:${ctx.method}`),
    });
    const pair = await connectPair({ clientChain: [rec('a', Priority.Low), rec('b', Priority.High)], serverChain: [rec('c', Priority.Normal)] });
    const result = await pair.client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi' }]);
    console.log(log);
    await pair.close();
  });
});
