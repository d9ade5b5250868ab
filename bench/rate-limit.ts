// Rate-limit decisions per second: our memory store (the path rateLimit() takes per request) and the whole interceptor,
// against rate-limiter-flexible's RateLimiterMemory on the same key pattern, in alternating rounds in one process.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createChain, ErrorCode, InterceptorError, MemoryRateLimitStore, rateLimit, systemClock, type Interceptor, type RateLimit, type RateLimitStore } from '@mcp-interceptors/core';
import { runRequest } from '@mcp-interceptors/core/testing';
import { median, quick, runBench } from './harness.js';

const KEYS = 10_000;
const ROUNDS = quick() ? 3 : 7;
const STORE_OPS = quick() ? 30_000 : 100_000;
const CHAIN_OPS = quick() ? 10_000 : 30_000;

const keys = Array.from({ length: KEYS }, (_, i) => `client-${i}`);

interface Contender {
  readonly name: string;
  /** Runs `ops` decisions and returns how many were allowed. */
  readonly run: (ops: number) => Promise<number> | number;
}

interface Scenario {
  readonly title: string;
  /** The contender all others are compared with. */
  readonly baseline: string;
  readonly ops: number;
  readonly contenders: readonly Contender[];
}

function storeContender(name: string, limit: RateLimit, awaited: boolean): Contender {
  const store = new MemoryRateLimitStore({ maxKeys: KEYS * 2 });
  let next = 0;
  if (awaited) {
    // Through the interface, as code that does not know the store is synchronous would call it.
    const anyStore: RateLimitStore = store;
    return {
      name,
      run: async (ops) => {
        let allowed = 0;
        for (let i = 0; i < ops; i++) {
          const decision = await anyStore.consume(keys[next++ % KEYS] as string, 1, limit, systemClock.now());
          if (decision.allowed) allowed++;
        }
        return allowed;
      },
    };
  }
  return {
    name,
    run: (ops) => {
      let allowed = 0;
      for (let i = 0; i < ops; i++) {
        if (store.consume(keys[next++ % KEYS] as string, 1, limit, systemClock.now()).allowed) allowed++;
      }
      return allowed;
    },
  };
}

function flexibleContender(name: string, points: number, duration: number): Contender {
  const limiter = new RateLimiterMemory({ points, duration });
  let next = 0;
  return {
    name,
    run: async (ops) => {
      let allowed = 0;
      for (let i = 0; i < ops; i++) {
        try {
          await limiter.consume(keys[next++ % KEYS] as string, 1);
          allowed++;
        } catch (refusal) {
          if (!(refusal instanceof RateLimiterRes)) throw refusal;
        }
      }
      return allowed;
    },
  };
}

/** A whole request through a chain: ours, or an interceptor doing the same job with RateLimiterMemory. */
function chainContender(name: string, interceptor: Interceptor): Contender {
  const chain = createChain([interceptor]);
  let next = 0;
  return {
    name,
    run: async (ops) => {
      let allowed = 0;
      for (let i = 0; i < ops; i++) {
        const { response } = await runRequest(chain, 'tools/call', { name: 'echo', arguments: {}, client: keys[next++ % KEYS] as string });
        if ('result' in response) allowed++;
      }
      return allowed;
    },
  };
}

const clientFromParams = (_ctx: unknown, req: { params?: Record<string, unknown> }): string => req.params?.['client'] as string;

function flexibleInterceptor(points: number, duration: number): Interceptor {
  const limiter = new RateLimiterMemory({ points, duration });
  return {
    name: 'rate-limiter-flexible',
    async onRequest(req) {
      try {
        await limiter.consume(clientFromParams(undefined, req), 1);
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        throw new InterceptorError(ErrorCode.RateLimited, 'Rate limit exceeded', { reason: 'RATE_LIMITED', retryAfterMs: refusal.msBeforeNext });
      }
    },
  };
}

function scenarios(): Scenario[] {
  // Buckets that never run dry in the run (as RateLimiterMemory's 1e9 points per minute): state kept for every key.
  const open = { bucket: { algorithm: 'token-bucket', rate: 1, burst: 1e9 }, window: { algorithm: 'sliding-window', limit: 1e9, windowMs: 60_000 } } as const;
  const tight = { bucket: { algorithm: 'token-bucket', rate: 1 / 60, burst: 1 }, window: { algorithm: 'sliding-window', limit: 1, windowMs: 60_000 } } as const;
  return [
    {
      title: `store decisions, ${KEYS} keys round-robin, all allowed`,
      baseline: 'rate-limiter-flexible',
      ops: STORE_OPS,
      contenders: [
        storeContender('ours token-bucket', open.bucket, false),
        storeContender('ours sliding-window', open.window, false),
        storeContender('ours token-bucket (awaited)', open.bucket, true),
        flexibleContender('rate-limiter-flexible', 1e9, 60),
      ],
    },
    {
      title: `store decisions, ${KEYS} keys round-robin, all but the first per key refused`,
      baseline: 'rate-limiter-flexible',
      ops: STORE_OPS,
      contenders: [
        storeContender('ours token-bucket', tight.bucket, false),
        storeContender('ours sliding-window', tight.window, false),
        storeContender('ours token-bucket (awaited)', tight.bucket, true),
        flexibleContender('rate-limiter-flexible', 1, 60),
      ],
    },
    {
      title: `whole interceptor via runRequest, ${KEYS} keys, all allowed`,
      baseline: 'rate-limiter-flexible in onRequest',
      ops: CHAIN_OPS,
      contenders: [
        chainContender('rateLimit()', rateLimit({ rate: 1, burst: 1e9, key: clientFromParams })),
        chainContender('rate-limiter-flexible in onRequest', flexibleInterceptor(1e9, 60)),
      ],
    },
    {
      title: `whole interceptor via runRequest, ${KEYS} keys, mostly refused`,
      baseline: 'rate-limiter-flexible in onRequest',
      ops: CHAIN_OPS,
      contenders: [
        chainContender('rateLimit()', rateLimit({ rate: 1 / 60, burst: 1, key: clientFromParams })),
        chainContender('rate-limiter-flexible in onRequest', flexibleInterceptor(1, 60)),
      ],
    },
  ];
}


const format = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);

export interface BenchRow {
  readonly scenario: string;
  readonly contender: string;
  readonly opsPerSecond: number;
  /** ops/s divided by the scenario baseline's. */
  readonly ratio: number;
}

export async function measure(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  console.log(`rate-limit bench: node ${process.version}, ${ROUNDS} alternating rounds, median ops/s`);
  for (const scenario of scenarios()) {
    const samples = new Map<string, number[]>(scenario.contenders.map((c) => [c.name, []]));
    // Warm-up round (JIT, and each key's first decision), not measured.
    for (const contender of scenario.contenders) await contender.run(Math.min(scenario.ops, KEYS * 2));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate the order each round so neither side always runs on a warmer or colder heap.
      const order = round % 2 === 0 ? scenario.contenders : [...scenario.contenders].reverse();
      for (const contender of order) {
        const started = performance.now();
        await contender.run(scenario.ops);
        const seconds = (performance.now() - started) / 1000;
        samples.get(contender.name)?.push(scenario.ops / seconds);
      }
    }
    const baseline = median(samples.get(scenario.baseline) ?? [1]);
    console.log(`\n${scenario.title}`);
    for (const contender of scenario.contenders) {
      const opsPerSecond = median(samples.get(contender.name) ?? [0]);
      const ratio = opsPerSecond / baseline;
      rows.push({ scenario: scenario.title, contender: contender.name, opsPerSecond, ratio });
      console.log(`  ${contender.name.padEnd(36)} ${format(opsPerSecond)} ops/s   ×${ratio.toFixed(2)}`);
    }
  }
  return rows;
}

/** Target (issue 3): ours at least as fast as rate-limiter-flexible in every scenario. */
export async function main(): Promise<boolean> {
  const rows = await measure();
  const ours = rows.filter((row) => !row.contender.startsWith('rate-limiter-flexible'));
  const slower = ours.filter((row) => row.ratio < 1);
  console.log(slower.length === 0 ? '\ntarget (ours ≥ rate-limiter-flexible everywhere) met' : `\ntarget MISSED in: ${slower.map((r) => `${r.contender} / ${r.scenario}`).join('; ')}`);
  return slower.length === 0;
}

runBench(import.meta.url, main);
