// A context for tests that drive a chain or a context directly: an inbound `ping` request (id 1) on a server, with
// anything else overridden per test.
import { systemClock } from '../clock.js';
import { ExchangeContext, type ExchangeInit } from '../context.js';
import { createMetricsRegistry } from '../metrics.js';
import { SessionState } from '../session.js';

export function testContext(overrides: Partial<ExchangeInit> = {}): ExchangeContext {
  return new ExchangeContext({
    side: 'server',
    direction: 'inbound',
    kind: 'request',
    method: 'ping',
    jsonrpcId: 1,
    params: undefined,
    session: new SessionState('server', 'in-memory', () => undefined),
    clock: systemClock,
    metrics: createMetricsRegistry(),
    ...overrides,
  });
}
