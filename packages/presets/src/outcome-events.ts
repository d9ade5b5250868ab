// Span events for resilience outcomes. The conventions have none, so they live in our `mcpi.*` namespace; they are
// read from the error responses the built-ins produce (`data.reason`, `data.interceptor`, `data.retryAfterMs`).
import type { Attributes, Span } from '@opentelemetry/api';
import type { RetryRecord } from '@mcp-interceptors/core';
import * as sc from './semconv.js';

const EVENT_BY_REASON: Readonly<Record<string, string>> = {
  RATE_LIMITED: sc.EVENT_MCPI_RATE_LIMITED,
  CIRCUIT_OPEN: sc.EVENT_MCPI_CIRCUIT_REJECTED,
  CONCURRENCY_LIMITED: sc.EVENT_MCPI_BULKHEAD_REJECTED,
  TIMEOUT: sc.EVENT_MCPI_TIMEOUT,
};

/** Adds the event an error response's `data.reason` stands for, if any. */
export function outcomeEvents(span: Span, data: unknown): void {
  if (typeof data !== 'object' || data === null) return;
  const fields = data as Record<string, unknown>;
  const reason = fields['reason'];
  const event = typeof reason === 'string' ? EVENT_BY_REASON[reason] : undefined;
  if (event === undefined) return;
  const attributes: Attributes = {};
  if (typeof fields['interceptor'] === 'string') attributes[sc.ATTR_MCPI_INTERCEPTOR] = fields['interceptor'];
  if (typeof fields['retryAfterMs'] === 'number') attributes[sc.ATTR_MCPI_RETRY_AFTER_MS] = fields['retryAfterMs'];
  span.addEvent(event, attributes);
}

/** Adds `mcpi.retry` when `retry()` (outside tracing) made more than one attempt, or gave up. */
export function retryEvent(span: Span, record: RetryRecord | undefined): void {
  if (record === undefined || (record.attempts <= 1 && record.gaveUp === undefined)) return;
  const attributes: Attributes = { [sc.ATTR_MCPI_RETRY_ATTEMPTS]: record.attempts };
  if (record.gaveUp !== undefined) attributes[sc.ATTR_MCPI_RETRY_GAVE_UP] = record.gaveUp;
  span.addEvent(sc.EVENT_MCPI_RETRY, attributes);
}
