import { createTraceState, isSpanContextValid, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { metaGetter, metaSetter, resolvePropagator, w3cMetaPropagator } from './meta-propagation.js';

const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };

describe('w3cMetaPropagator', () => {
  it('writes traceparent and tracestate the way @opentelemetry/core does', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { ...parent, traceState: createTraceState('vendor=a,other=b') });
    const ours: Record<string, unknown> = {};
    const reference: Record<string, unknown> = {};
    w3cMetaPropagator.inject(ctx, ours, metaSetter);
    new W3CTraceContextPropagator().inject(ctx, reference, metaSetter);
    expect(ours).toEqual(reference);
    expect(ours).toEqual({ traceparent: `00-${parent.traceId}-${parent.spanId}-01`, tracestate: 'vendor=a,other=b' });
  });

  it.each([
    [0, '00'],
    [1, '01'],
    [2, '02'],
    [0x0f, '0f'],
    // @opentelemetry/core writes `0` + hex, three digits from 16 up; W3C wants two, the low byte.
    [0x10, '10'],
    [0xff, 'ff'],
    [0x101, '01'],
  ])('writes trace flags %i as two lowercase hex digits (%s)', (traceFlags, hex) => {
    const meta: Record<string, unknown> = {};
    w3cMetaPropagator.inject(trace.setSpanContext(ROOT_CONTEXT, { ...parent, traceFlags }), meta, metaSetter);
    expect(meta).toEqual({ traceparent: `00-${parent.traceId}-${parent.spanId}-${hex}` });
  });

  it('reads back what it wrote, as a remote parent', () => {
    const meta: Record<string, unknown> = {};
    w3cMetaPropagator.inject(trace.setSpanContext(ROOT_CONTEXT, parent), meta, metaSetter);
    expect(trace.getSpanContext(w3cMetaPropagator.extract(ROOT_CONTEXT, meta, metaGetter))).toEqual({ ...parent, isRemote: true });
  });

  it.each([
    ['a number', 42],
    ['an object', { a: 1 }],
    ['garbage', 'not-a-traceparent'],
    ['version ff', `ff-${parent.traceId}-${parent.spanId}-01`],
    ['version 00 with extra fields', `00-${parent.traceId}-${parent.spanId}-01-extra`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${parent.spanId}-01`],
    ['upper-case hex', `00-${parent.traceId.toUpperCase()}-${parent.spanId}-01`],
    ['an all-zero span id', `00-${parent.traceId}-${'0'.repeat(16)}-01`],
    ['non-hex flags', `00-${parent.traceId}-${parent.spanId}-0g`],
    ['a non-hex version', `0z-${parent.traceId}-${parent.spanId}-01`],
    ['a non-ASCII character in the trace id', `00-é${parent.traceId.slice(1)}-${parent.spanId}-01`],
    ['a non-hex character at the end of the span id', `00-${parent.traceId}-${parent.spanId.slice(0, 15)}x-01`],
    ['a dash out of place', `00-${parent.traceId.slice(0, 31)}-a${parent.spanId}-01`],
    ['a field one character short', `00-${parent.traceId.slice(1)}-${parent.spanId}-01-`],
    ['a future version whose extra part lacks its dash', `01-${parent.traceId}-${parent.spanId}-01x`],
  ])('ignores a traceparent that is %s', (_label, traceparent) => {
    expect(trace.getSpanContext(w3cMetaPropagator.extract(ROOT_CONTEXT, { traceparent }, metaGetter))).toBeUndefined();
  });

  it('accepts surrounding whitespace and reads the flags', () => {
    const ctx = w3cMetaPropagator.extract(ROOT_CONTEXT, { traceparent: `  00-${parent.traceId}-${parent.spanId}-00 ` }, metaGetter);
    expect(trace.getSpanContext(ctx)).toEqual({ ...parent, traceFlags: 0 });
  });

  it('accepts a future version with extra fields', () => {
    const ctx = w3cMetaPropagator.extract(ROOT_CONTEXT, { traceparent: `01-${parent.traceId}-${parent.spanId}-01-more` }, metaGetter);
    expect(trace.getSpanContext(ctx)?.spanId).toBe(parent.spanId);
  });

  it('round-trips baggage, percent-encoded, and skips malformed members', () => {
    const bag = propagation.createBaggage({ tenant: { value: 'acme corp' }, 'k,1': { value: 'v=1' } });
    const meta: Record<string, unknown> = {};
    w3cMetaPropagator.inject(propagation.setBaggage(ROOT_CONTEXT, bag), meta, metaSetter);
    expect(meta).toEqual({ baggage: 'tenant=acme%20corp,k%2C1=v%3D1' });
    const back = propagation.getBaggage(w3cMetaPropagator.extract(ROOT_CONTEXT, { baggage: `${meta['baggage'] as string},bad%zz=1,novalue;prop=1` }, metaGetter));
    expect(back?.getAllEntries().map(([k, e]) => [k, e.value])).toEqual([
      ['tenant', 'acme corp'],
      ['k,1', 'v=1'],
    ]);
  });

  it('ignores baggage longer than 8192 characters', () => {
    expect(propagation.getBaggage(w3cMetaPropagator.extract(ROOT_CONTEXT, { baggage: `a=${'x'.repeat(8192)}` }, metaGetter))).toBeUndefined();
  });

  it.each([
    ['valid', parent.traceId, parent.spanId],
    ['upper-case ids (valid to the API)', parent.traceId.toUpperCase(), parent.spanId.toUpperCase()],
    ['a short trace id', parent.traceId.slice(1), parent.spanId],
    ['a long span id', parent.traceId, `${parent.spanId}0`],
    ['a non-hex trace id', `g${parent.traceId.slice(1)}`, parent.spanId],
    ['a non-ASCII span id', parent.traceId, `é${parent.spanId.slice(1)}`],
    ['an all-zero trace id', '0'.repeat(32), parent.spanId],
    ['an all-zero span id', parent.traceId, '0'.repeat(16)],
  ])('injects a traceparent exactly when the API calls the span context valid: %s', (_label, traceId, spanId) => {
    const spanContext = { traceId, spanId, traceFlags: 1 };
    const meta: Record<string, unknown> = {};
    w3cMetaPropagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), meta, metaSetter);
    expect('traceparent' in meta).toBe(isSpanContextValid(spanContext));
  });

  it('injects nothing without a valid span context or baggage', () => {
    const meta: Record<string, unknown> = {};
    w3cMetaPropagator.inject(ROOT_CONTEXT, meta, metaSetter);
    expect(meta).toEqual({});
  });
});

describe('resolvePropagator', () => {
  afterEach(() => propagation.disable());

  it('prefers the configured propagator, then a registered global one, then the built-in one', () => {
    const configured = new W3CTraceContextPropagator();
    expect(resolvePropagator(configured)).toBe(configured);
    expect(resolvePropagator(undefined)).toBe(w3cMetaPropagator);
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    expect(resolvePropagator(undefined)).toBe(propagation);
  });
});
