import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../packages/presets/src/test-support/otlp-receiver.js';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('examples/otel', () => {
  it('exports one trace across the client and the stdio server to an OTLP endpoint', async () => {
    receiver = await startOtlpReceiver();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint },
      timeout: 30_000,
    });
    const traceId = /trace id: ([0-9a-f]{32})/.exec(stdout)?.[1];
    expect(stdout).toContain('forecast: Lisbon: sunny, 21°C');

    const spans = receiver.spans().filter((s) => s.traceId === traceId);
    const byName = (name: string, service: string) => spans.find((s) => s.name === name && s.service === service);
    const planTrip = byName('plan-trip', 'trip-planner');
    const clientCall = byName('tools/call forecast', 'trip-planner');
    const serverCall = byName('tools/call forecast', 'weather-server');
    const lookup = byName('lookup-forecast', 'weather-server');
    expect(spans.map((s) => `${s.service}:${s.name}`).sort()).toEqual([
      'trip-planner:plan-trip',
      'trip-planner:tools/call forecast',
      'weather-server:lookup-forecast',
      'weather-server:tools/call forecast',
    ]);
    expect(clientCall?.parentSpanId).toBe(planTrip?.spanId);
    expect(serverCall?.parentSpanId).toBe(clientCall?.spanId);
    expect(lookup?.parentSpanId).toBe(serverCall?.spanId);
  });
});
