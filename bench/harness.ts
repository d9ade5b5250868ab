// Bench harness: an echo tool over InMemoryTransport, bare or behind chains on both sides, timed in alternating
// rounds within one process so every ratio compares runs under the same machine conditions.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import { createChain, intercept, type Chain, type InterceptedTransport, type Interceptor } from '@mcp-interceptors/core';

export interface EchoPair {
  client: Client;
  clientTransport: Transport;
  serverTransport: Transport;
  close(): Promise<void>;
}

/** Chains for each side, or undefined for the bare SDK. */
export interface Setup {
  readonly name: string;
  readonly client?: () => Chain;
  readonly server?: () => Chain;
  /** `intercept()`'s option for both sides (default true): false keeps the SDK's discarded ZodErrors' stacks. */
  readonly stacklessDispatch?: boolean;
}

export async function connectEcho(setup: Setup): Promise<EchoPair> {
  const [clientInner, serverInner] = InMemoryTransport.createLinkedPair();
  const stacklessDispatch = setup.stacklessDispatch ?? true;
  const serverTransport: Transport = setup.server ? intercept(serverInner, setup.server(), { side: 'server', stacklessDispatch }) : serverInner;
  const clientTransport: Transport = setup.client ? intercept(clientInner, setup.client(), { side: 'client', stacklessDispatch }) : clientInner;
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  const client = new Client({ name: 'bench-client', version: '1.0.0' });
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    clientTransport,
    serverTransport,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

const ARGS = { name: 'echo', arguments: { text: 'hello' } };

/** Runs `calls` echo calls with `concurrency` workers; returns elapsed milliseconds. */
export async function drive(pair: EchoPair, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      await pair.client.callTool(ARGS);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

export interface Measurement {
  readonly setup: string;
  /** Median milliseconds per call over the rounds. */
  readonly msPerCall: number;
  readonly callsPerSecond: number;
  /** Median over the rounds of this setup's time per call divided by the first setup's in the same round. */
  readonly ratio: number;
}

export interface CompareOptions {
  /** Calls per measurement. */
  readonly calls: number;
  readonly concurrency: number;
  /** Measurements per setup. */
  readonly rounds: number;
  /** Calls that warm each new pair before it is measured. @defaultValue min(2000, calls) */
  readonly warmup?: number;
  /** Rounds after which every pair is replaced by a fresh one. @defaultValue 8 */
  readonly roundsPerPair?: number;
}

/**
 * Measures every setup `rounds` times, `calls` calls per measurement, the order rotating each round so no setup
 * always runs first or last. Shared machines drift by ±20% over seconds, so what is reported is the median over the
 * rounds of each setup's time relative to the first setup's in the same round (a paired comparison); and the pairs
 * are replaced every few rounds, since the JIT state of one client/server pair can be ±5% off another's.
 */
export async function compare(setups: readonly Setup[], options: CompareOptions): Promise<Measurement[]> {
  const perPair = options.roundsPerPair ?? 8;
  const warmup = options.warmup ?? Math.min(2000, options.calls);
  const samples: number[][] = setups.map(() => []);
  let pairs: EchoPair[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % perPair === 0) {
      await Promise.all(pairs.map((p) => p.close()));
      pairs = await Promise.all(setups.map((s) => connectEcho(s)));
      for (const pair of pairs) await drive(pair, warmup, options.concurrency);
    }
    const order = setups.map((_, i) => (i + round) % setups.length);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      // In-memory calls run in microtasks only: without a turn of the event loop between measurements, timers
      // (a batch span processor's export, say) would not run for the whole bench.
      await new Promise((resolve) => setImmediate(resolve));
      const ms = await drive(pairs[i] as EchoPair, options.calls, options.concurrency);
      (samples[i] as number[]).push(ms / options.calls);
    }
  }
  await Promise.all(pairs.map((p) => p.close()));
  const base = samples[0] as number[];
  return setups.map((s, i) => {
    const own = samples[i] as number[];
    const msPerCall = median(own);
    return { setup: s.name, msPerCall, callsPerSecond: 1000 / msPerCall, ratio: median(own.map((ms, round) => ms / (base[round] as number))) };
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Prints a table of calls/s and the ratio of time per call to the first (bare) setup; returns the ratios by name. */
export function report(title: string, results: readonly Measurement[], targets: Record<string, number> = {}): Record<string, number> {
  const ratios: Record<string, number> = {};
  console.log(`\n${title}`);
  for (const r of results) {
    const ratio = r.ratio;
    ratios[r.setup] = ratio;
    const target = targets[r.setup];
    const verdict = target === undefined ? '' : ratio <= target ? `  (target ≤ ${target.toFixed(2)}× met)` : `  (target ≤ ${target.toFixed(2)}× MISSED)`;
    console.log(`  ${r.setup.padEnd(34)} ${r.callsPerSecond.toFixed(0).padStart(8)} calls/s  ${(r.msPerCall * 1000).toFixed(1).padStart(7)} µs/call  ${ratio.toFixed(3)}× bare${verdict}`);
  }
  return ratios;
}

/** A no-op interceptor that still has both hooks, so the chain does its full per-exchange work. */
export function noop(name: string, priority: number): Interceptor {
  return { name, priority, onRequest: () => undefined, onResponse: () => undefined };
}

export function pendingOf(transport: Transport): InterceptedTransport['pendingCount'] | undefined {
  return (transport as Partial<InterceptedTransport>).pendingCount;
}

const isMain = (url: string): boolean => process.argv[1] !== undefined && url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '\0');

/**
 * Runs a bench's `main` when its file is executed directly, with the exit codes `scripts/run-benches.mjs` reads:
 * 0 every target met, 1 a target missed, 2 the bench crashed.
 */
export function runBench(url: string, main: () => Promise<boolean>): void {
  if (!isMain(url)) return;
  main().then(
    (ok) => process.exit(ok ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}

/** `BENCH_QUICK=1` (CI's smoke run) shortens every bench. */
export const quick = (): boolean => process.env['BENCH_QUICK'] === '1';

export { createChain };
