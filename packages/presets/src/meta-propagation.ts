// Trace context in `params._meta`: a getter/setter over `_meta` (untrusted JSON, so strings only), and a built-in
// W3C trace-context + baggage propagator used when no global propagator is registered, so a trace still crosses
// the wire when the application passed a tracer provider but never set up an SDK.
import {
  createTraceState,
  propagation,
  trace,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import type { JsonObject } from '@mcp-interceptors/core';

/** MCP 2026-07-28 reserves these unprefixed `_meta` keys for W3C trace context (SEP-414). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
export const BAGGAGE = 'baggage';

/** Reads `_meta` keys; anything that is not a string (the peer's JSON is untrusted) reads as absent. */
export const metaGetter: TextMapGetter<JsonObject | undefined> = {
  keys: (carrier) => (carrier ? Object.keys(carrier) : []),
  get: (carrier, key) => {
    const value = carrier?.[key];
    return typeof value === 'string' ? value : undefined;
  },
};

export const metaSetter: TextMapSetter<JsonObject> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** The propagator calls go through; both the global API and a `TextMapPropagator` fit. */
export type MetaPropagator = Pick<TextMapPropagator, 'inject' | 'extract'>;

/** The given propagator, else the global one when an SDK registered it, else the built-in W3C one. */
export function resolvePropagator(configured: MetaPropagator | undefined): MetaPropagator {
  if (configured !== undefined) return configured;
  return propagation.fields().length > 0 ? propagation : w3cMetaPropagator;
}

/** Trace flags as a traceparent writes them (two lowercase hex digits), made once rather than per message. */
const FLAGS_HEX = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, '0'));

const MAX_BAGGAGE_LENGTH = 8192;
const MAX_BAGGAGE_ENTRIES = 180;

/**
 * W3C Trace Context (traceparent, tracestate) and Baggage, with only `@opentelemetry/api`. Equivalent to
 * `@opentelemetry/core`'s `W3CTraceContextPropagator` + `W3CBaggagePropagator` for what MCP needs.
 */
export const w3cMetaPropagator: TextMapPropagator<JsonObject | undefined> = {
  fields: () => [TRACEPARENT, TRACESTATE, BAGGAGE],
  inject(ctx, carrier, setter) {
    if (carrier === undefined) return;
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext !== undefined && isValidSpanContext(spanContext)) {
      setter.set(carrier, TRACEPARENT, `00-${spanContext.traceId}-${spanContext.spanId}-${FLAGS_HEX[spanContext.traceFlags & 0xff] as string}`);
      const state = spanContext.traceState?.serialize();
      if (state) setter.set(carrier, TRACESTATE, state);
    }
    const baggage = propagation.getBaggage(ctx);
    if (baggage !== undefined) {
      const pairs = baggage.getAllEntries().slice(0, MAX_BAGGAGE_ENTRIES).map(([key, entry]) => `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`);
      while (pairs.join(',').length > MAX_BAGGAGE_LENGTH) pairs.pop();
      if (pairs.length > 0) setter.set(carrier, BAGGAGE, pairs.join(','));
    }
  },
  extract(ctx, carrier, getter) {
    let result: Context = ctx;
    const parent = parseTraceparent(getter.get(carrier, TRACEPARENT), getter.get(carrier, TRACESTATE));
    if (parent !== undefined) result = trace.setSpanContext(result, parent);
    const baggage = parseBaggage(getter.get(carrier, BAGGAGE));
    if (baggage !== undefined) result = propagation.setBaggage(result, baggage);
    return result;
  },
};

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `00-<32 hex>-<16 hex>-<2 hex>`: 55 characters; later versions may append `-…`. */
const TRACEPARENT_LENGTH = 55;

/**
 * Parses a `traceparent`: a test of its shape, then slices by position. Not a regular expression with captures: it
 * runs for every message received, and a capturing match copies out four substrings before anything is known valid.
 */
function parseTraceparent(header: string | string[] | undefined, stateHeader: string | string[] | undefined): SpanContext | undefined {
  let text = single(header);
  if (typeof text !== 'string') return undefined;
  if (text.length !== TRACEPARENT_LENGTH) text = text.trim();
  if (text.length < TRACEPARENT_LENGTH) return undefined;
  if (!hasTraceparentShape(text)) return undefined;
  const version = text.slice(0, 2);
  // Version ff is invalid; version 00 has exactly four fields, later versions may add `-…` (W3C Trace Context §3.2).
  if (version === 'ff') return undefined;
  if (text.length > TRACEPARENT_LENGTH && (version === '00' || text.charCodeAt(TRACEPARENT_LENGTH) !== DASH)) return undefined;
  const traceId = text.slice(3, 35);
  const spanId = text.slice(36, 52);
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  const traceFlags = (hexValue(text.charCodeAt(53)) << 4) | hexValue(text.charCodeAt(54));
  const parent: SpanContext = { traceId, spanId, traceFlags, isRemote: true };
  // Assigned, not spread in: a conditional spread costs more than the rest of the parse.
  const state = single(stateHeader);
  if (state) parent.traceState = createTraceState(state);
  return parent;
}

/** A lowercase hex digit's value (the shape test let only those through). */
const hexValue = (code: number): number => (code <= 0x39 ? code - 0x30 : code - 0x57);

const DASH = 0x2d;
/** 1 at the code of each hex digit in `digits`. Codes past the table read `undefined`, which counts as not a digit. */
function digitTable(digits: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const digit of digits) table[digit.charCodeAt(0)] = 1;
  return table;
}
/** What a traceparent may hold (W3C Trace Context: lowercase only). */
const LOWER_HEX = digitTable('0123456789abcdef');
/** What `isSpanContextValid` of the API accepts in ids (either case). */
const ANY_HEX = digitTable('0123456789abcdefABCDEF');

/** True when `text[from, to)` holds only digits of `table`: a lookup per character, about half a regular expression's time. */
function isHexRun(text: string, from: number, to: number, table: Uint8Array = LOWER_HEX): boolean {
  let notHex = 0;
  for (let i = from; i < to; i++) notHex |= (table[text.charCodeAt(i)] as number) ^ 1;
  return notHex === 0;
}

/** The API's `isSpanContextValid` (hex ids of the right length, not all zeros), by lookups rather than two regular expressions. */
function isValidSpanContext(spanContext: SpanContext): boolean {
  const { traceId, spanId } = spanContext;
  return (
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    traceId.length === 32 &&
    spanId.length === 16 &&
    isHexRun(traceId, 0, 32, ANY_HEX) &&
    isHexRun(spanId, 0, 16, ANY_HEX) &&
    traceId !== INVALID_TRACE_ID &&
    spanId !== INVALID_SPAN_ID
  );
}

/**
 * The four fields of a traceparent at the start of `text` (at least 55 characters): `xx-{32}-{16}-xx` in lowercase
 * hex. Runs for every message received.
 */
function hasTraceparentShape(text: string): boolean {
  return (
    text.charCodeAt(2) === DASH &&
    text.charCodeAt(35) === DASH &&
    text.charCodeAt(52) === DASH &&
    isHexRun(text, 0, 2) &&
    isHexRun(text, 3, 35) &&
    isHexRun(text, 36, 52) &&
    isHexRun(text, 53, 55)
  );
}
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

function parseBaggage(header: string | string[] | undefined) {
  const text = single(header);
  if (!text || text.length > MAX_BAGGAGE_LENGTH) return undefined;
  const entries: Record<string, { value: string }> = {};
  let count = 0;
  for (const member of text.split(',')) {
    const pair = member.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      entries[decodeURIComponent(pair.slice(0, eq).trim())] = { value: decodeURIComponent(pair.slice(eq + 1).trim()) };
    } catch {
      continue; // a malformed percent-escape drops that member only
    }
    if (++count >= MAX_BAGGAGE_ENTRIES) break;
  }
  return count > 0 ? propagation.createBaggage(entries) : undefined;
}
