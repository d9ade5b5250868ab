// bench/builtins: a realistic server chain against the bare SDK, measured in one process.
// Target (issue 3): request-id, validation, rate-limit, circuit-breaker, timing, metrics and logging to a null sink
// on the server, echo tools/call over InMemoryTransport: ≤ 1.20× bare SDK time per call.
import { circuitBreaker, logging, metrics, nullSink, rateLimit, requestId, timing, validation } from '@mcp-interceptors/core';
import { compare, createChain, report, runBench, type Setup } from './harness.js';

const sevenBuiltins = () =>
  createChain([
    requestId(),
    validation(),
    // Limits high enough that every call passes: the bench measures the cost of deciding, not of rejecting.
    rateLimit({ scope: 'client', rate: 1e9, burst: 1e9 }),
    circuitBreaker(),
    timing(),
    metrics(),
    logging({ sink: nullSink }),
  ]);

export const setups: readonly Setup[] = [
  { name: 'bare SDK' },
  { name: 'server chain of 7 built-ins', server: sevenBuiltins },
  // No target: the same chain with the SDK's discarded ZodErrors capturing stacks as in the bare SDK, to show what
  // stackless dispatch (intercept's default) saves and what the chain itself costs.
  { name: '  same, stacklessDispatch: false', server: sevenBuiltins, stacklessDispatch: false },
];

const TARGETS = { 'server chain of 7 built-ins': 1.2 };

export async function main(): Promise<boolean> {
  const quick = process.env['BENCH_QUICK'] === '1';
  // Many short rounds: the ratio is the median of per-round ratios (see harness.compare).
  const rounds = quick ? 6 : 48;
  const calls = quick ? 300 : 500;
  const sequential = report(`Built-ins, sequential echo calls (${rounds} rounds × ${calls} calls, median of per-round ratios):`, await compare(setups, { calls, concurrency: 1, rounds }), TARGETS);
  const concurrent = report(`Built-ins, 64 concurrent echo calls (${rounds} rounds × ${calls * 2} calls, median of per-round ratios):`, await compare(setups, { calls: calls * 2, concurrency: 64, rounds }), TARGETS);
  return [sequential, concurrent].every((r) => Object.entries(TARGETS).every(([name, target]) => (r[name] ?? Infinity) <= target));
}

runBench(import.meta.url, main);
