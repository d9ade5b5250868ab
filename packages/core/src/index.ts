// @mcp-interceptors/core: the chain, the context, the transport wrapper and the built-in interceptors.
export { createChain } from './chain.js';
export type { Attempt, AttemptTerminal, Chain, ChainEntry, ChainOptions, Done, ErrorReporter, Terminal } from './chain.js';
export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { ExchangeContext, REQUEST_ID_META_KEY } from './context.js';
export type { Direction, HttpRequestView, InterceptorContext } from './context.js';
export { ErrorCode, errorResponse, InterceptorError, isInterceptorError } from './errors.js';
export type { ErrorData } from './errors.js';
export { DROP, Priority } from './interceptor.js';
export type { Awaitable, Interceptor, Next, NextOptions } from './interceptor.js';
export { createCancellation } from './cancellation.js';
export { continuationAround } from './continuation.js';
export type { ContinuationAroundBody, ContinuationAroundOptions, Downstream } from './continuation.js';
export type { Cancellation, CancellationSource } from './cancellation.js';
export { classifyFrame, isErrorResponse, isJsonRpcId } from './jsonrpc.js';
export type {
  FrameKind,
  JsonObject,
  JsonRpcErrorObject,
  JsonRpcErrorResponse,
  JsonRpcId,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcResultResponse,
} from './jsonrpc.js';
export { createKey, MetadataBag } from './metadata.js';
export type { Metadata, MetadataKey } from './metadata.js';
export { createMetricsRegistry, DEFAULT_DURATION_BUCKETS_MS } from './metrics.js';
export type { CounterPoint, HistogramPoint, Labels, MetricsRecorder, MetricsRegistry, MetricsRegistryOptions, MetricsSnapshot } from './metrics.js';
export { REDACTED, redactHeaders, redactUrl, SENSITIVE_HEADERS, sensitiveHeaderSet } from './redact-headers.js';
export type { HeaderValues } from './redact-headers.js';
export { detectTransportKind } from './session.js';
export type { PeerInfo, SessionInfo, Side, TransportKind } from './session.js';
export { intercept, InterceptedTransport } from './transport.js';
export type { InterceptOptions } from './transport.js';
export { RATE_LIMIT_SCOPES, rateLimit } from './interceptors/rate-limit.js';
export type { RateLimitOptions, RateLimitOverride, RateLimitRule, RateLimitScope } from './interceptors/rate-limit.js';
export { MemoryRateLimitStore } from './stores/rate-limit-store.js';
export type { MemoryRateLimitStoreOptions, RateLimit, RateLimitDecision, RateLimitStore } from './stores/rate-limit-store.js';
export { circuitBreaker, DEFAULT_FAILURE_CODES } from './interceptors/circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitStateChange } from './interceptors/circuit-breaker.js';
export { MemoryBreakerStore } from './stores/breaker-store.js';
export type { BreakerAdmission, BreakerOutcome, BreakerPolicy, BreakerSnapshot, BreakerStore, BreakerTicket, BreakerTransition, CircuitState, MemoryBreakerStoreOptions } from './stores/breaker-store.js';
export { concurrency } from './interceptors/concurrency.js';
export type { BulkheadState, ConcurrencyInterceptor, ConcurrencyOptions, ConcurrencyOverride } from './interceptors/concurrency.js';
export { payloadLimit } from './interceptors/payload-limit.js';
export type { PayloadLimitOptions, PayloadPart } from './interceptors/payload-limit.js';
export { cache, CacheStatusKey } from './interceptors/cache.js';
export type { CacheableMethod, CacheInterceptor, CacheOptions, CacheStats } from './interceptors/cache.js';
export { retry, RetryAttemptsKey } from './interceptors/retry.js';
export type { RetryOptions, RetryRecord } from './interceptors/retry.js';
export { timeout } from './interceptors/timeout.js';
export type { TimeoutOptions } from './interceptors/timeout.js';
export { DEFAULT_SENSITIVE_KEYS, isSensitiveKey, redactedJson, redactSensitive, sensitiveKeyMatcher, TRUNCATION_MARKER } from './sensitive-keys.js';
export type { RedactedJsonOptions, RedactSensitiveOptions, SensitiveKeyMatcher, SensitiveKeys } from './sensitive-keys.js';
export { isValidRequestId, REQUEST_ID_PATTERN, requestId } from './interceptors/request-id.js';
export type { RequestIdOptions } from './interceptors/request-id.js';
export { validation, VALIDATION_DROPPED_METRIC, VALIDATION_REJECTED_METRIC } from './interceptors/validation.js';
export type { ValidationOptions, ValidationReason } from './interceptors/validation.js';
export { emitRecord, jsonLinesSink, logging, nullSink, stderrSink } from './interceptors/logging.js';
export type { LoggingOptions, LogLevel, LogRecord, LogSink, Outcome } from './interceptors/logging.js';
export { DurationMs, EXCHANGE_DURATION_METRIC, timing } from './interceptors/timing.js';
export type { TimingOptions } from './interceptors/timing.js';
export {
  ERRORS_METRIC,
  IN_FLIGHT_METRIC,
  metrics,
  metricsSummary,
  NOTIFICATIONS_METRIC,
  REQUEST_DURATION_METRIC,
  REQUESTS_METRIC,
  successRate,
} from './interceptors/metrics.js';
export type { MethodSummary, MetricsOptions, MetricsSummary, SuccessRateFilter } from './interceptors/metrics.js';
export { categorizeError, DEFAULT_EXPOSED_CODES, errorHandling } from './interceptors/error-handling.js';
export type { ErrorCategory, ErrorCounts, ErrorHandlingInterceptor, ErrorHandlingOptions, ErrorRecord, ErrorStats } from './interceptors/error-handling.js';
export { REDACTION_DETECTORS } from './interceptors/redaction-detectors.js';
export type { CustomRedactionDetector, RedactionDetectorId } from './interceptors/redaction-detectors.js';
export { redaction, REDACTION_METHODS, RedactionFindingsKey } from './interceptors/redaction.js';
export type { RedactionFindings, RedactionInterceptor, RedactionMode, RedactionOptions, RedactionPart } from './interceptors/redaction.js';
export { accessPolicy } from './interceptors/access-policy.js';
export type { AccessEffect, AccessKind, AccessPolicyOptions, AccessRule } from './interceptors/access-policy.js';
export { PROMPT_INJECTION_RULE_IDS } from './interceptors/prompt-injection-guard-rules.js';
export type { PromptInjectionRule } from './interceptors/prompt-injection-guard-rules.js';
export { PROMPT_INJECTION_FIELDS, promptInjectionGuard, PromptInjectionFindingsKey } from './interceptors/prompt-injection-guard.js';
export type { PromptInjectionField, PromptInjectionFindings, PromptInjectionGuardOptions, PromptInjectionVerdict } from './interceptors/prompt-injection-guard.js';
