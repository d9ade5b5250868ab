// bench/production: production() on both sides, tracing into an in-memory span exporter, against the bare SDK.
// Target (issue 4): ≤ 1.35× bare time per sequential in-memory echo call (median of per-round ratios, one run).
// As deployed: an AsyncLocalStorage context manager (what NodeSDK registers), W3C propagation in params._meta, a
// BatchSpanProcessor; log records are built in full and handed to a sink that drops them (a real one would write
// them to a file or collector, which is not the chain's cost); the rate limit is counted but set high enough to pass.
import { AsyncLocalStorage } from 'node:async_hooks';
import { context, ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { createChain, nullSink } from '@mcp-interceptors/core';
import { production } from '@mcp-interceptors/presets';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { compare, report, runBench, type Setup } from './harness.js';

/** The AsyncLocalStorage context manager, as `@opentelemetry/context-async-hooks` implements it. */
class AlsContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

const TARGET = 1.35;

export async function main(): Promise<boolean> {
  const quick = process.env['BENCH_QUICK'] === '1';
  // Many short rounds: the ratio is the median of per-round ratios (see harness.compare).
  const rounds = quick ? 6 : 48;
  const calls = quick ? 300 : 500;
  context.setGlobalContextManager(new AlsContextManager());
  const exporter = new InMemorySpanExporter();
  // A batch processor, as deployed (startTelemetry uses one for OTLP): spans are queued and exported every 50 ms.
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 4096, scheduledDelayMillis: 50 })] });
  // The rate limit is raised so the bench measures its bookkeeping, not its refusals (50/s would refuse most calls).
  const members = { tracing: { tracerProvider: provider }, logging: { sink: nullSink }, rateLimit: { rate: 1e9, burst: 1e9 } } as const;
  const setups: readonly Setup[] = [
    { name: 'bare SDK' },
    {
      name: 'production() both sides + tracing',
      client: () => createChain(production({ side: 'client', ...members })),
      server: () => createChain(production({ side: 'server', ...members })),
    },
    {
      // No target: with the SDK's discarded ZodErrors capturing stacks as in the bare SDK (see stacklessDispatch).
      name: '  same, stacklessDispatch: false',
      client: () => createChain(production({ side: 'client', ...members })),
      server: () => createChain(production({ side: 'server', ...members })),
      stacklessDispatch: false,
    },
    {
      // For the split: what the tracing member costs on top of the others.
      name: 'production() both sides, no tracing',
      client: () => createChain(production({ side: 'client', ...members, tracing: false })),
      server: () => createChain(production({ side: 'server', ...members, tracing: false })),
    },
  ];
  // Spans would pile up over the run; keep the exporter's memory flat, counting what it received.
  let exported = 0;
  const drainSpans = (): void => {
    exported += exporter.getFinishedSpans().length;
    exporter.reset();
  };
  const drain = setInterval(drainSpans, 50);
  try {
    const roundsPerPair = 8;
    const results = await compare(setups, { calls, concurrency: 1, rounds, roundsPerPair });
    const ratios = report(`Sequential echo calls over InMemoryTransport (${rounds} rounds × ${calls} calls, median of per-round ratios):`, results, { [setups[1]?.name as string]: TARGET });
    await provider.forceFlush();
    drainSpans();
    // Each fresh pair is warmed with min(2000, calls) calls before its rounds.
    // Two setups trace (with and without stackless dispatch).
    const tracedCalls = 2 * (Math.ceil(rounds / roundsPerPair) * Math.min(2000, calls) + rounds * calls);
    console.log(`  spans exported: ${exported} (${(exported / tracedCalls).toFixed(2)} per traced call: a CLIENT and a SERVER span)`);
    return (ratios[setups[1]?.name as string] ?? Infinity) <= TARGET;
  } finally {
    clearInterval(drain);
    context.disable();
  }
}

runBench(import.meta.url, main);
