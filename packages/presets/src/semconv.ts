// The OpenTelemetry semantic-convention strings tracing() emits, in one place. Copied (not imported): the MCP and
// gen_ai conventions are Development-status and live only in `@opentelemetry/semantic-conventions/incubating`, which
// instrumentation libraries should not load at runtime. semconv.test.ts diffs these against that package.
// Sources: semantic-conventions-genai docs/gen-ai/mcp.md, model/mcp/*.yaml; semantic-conventions registry (stable).

export const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version';
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri';
/** Not set for 2026-07-28+ peers: that revision has no sessions. */
export const ATTR_MCP_SESSION_ID = 'mcp.session.id';
/** Always a string; not set for notifications. */
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name';
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
/** Opt-in (may hold sensitive data). */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
/** Opt-in (may hold sensitive data). */
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_ERROR_TYPE = 'error.type';
/**
 * The MCP convention still names `rpc.response.status_code`; the RPC registry renamed it `rpc.status_code`. Kept here
 * alone so switching (or emitting both) is a one-line change when the MCP convention follows.
 */
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code';
export const ATTR_NETWORK_TRANSPORT = 'network.transport';
export const ATTR_NETWORK_PROTOCOL_NAME = 'network.protocol.name';

export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
/** `error.type` of a `tools/call` whose result has `isError: true`. */
export const ERROR_TYPE_VALUE_TOOL_ERROR = 'tool_error';
/** `error.type` when a failure has no JSON-RPC code. */
export const ERROR_TYPE_VALUE_OTHER = '_OTHER';
/** `error.type` of a request cancelled before any response came (by the caller, a timeout below, or the peer). */
export const ERROR_TYPE_VALUE_CANCELLED = 'cancelled';
/** `error.type` of a request the connection closed on before any response came. */
export const ERROR_TYPE_VALUE_CONNECTION_CLOSED = 'connection_closed';
export const NETWORK_TRANSPORT_VALUE_PIPE = 'pipe';
export const NETWORK_TRANSPORT_VALUE_TCP = 'tcp';

export const METRIC_MCP_CLIENT_OPERATION_DURATION = 'mcp.client.operation.duration';
export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration';
/** The advised explicit bucket boundaries of both operation-duration histograms, in seconds. */
export const MCP_OPERATION_DURATION_BUCKETS: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

/** `_meta` keys of MCP 2026-07-28, read per request. */
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';

// Our own namespace for what the conventions do not cover (resilience outcomes, the correlation id).
export const ATTR_MCPI_REQUEST_ID = 'mcpi.request.id';
export const ATTR_MCPI_INTERCEPTOR = 'mcpi.interceptor';
export const ATTR_MCPI_RETRY_AFTER_MS = 'mcpi.retry_after_ms';
export const ATTR_MCPI_RETRY_ATTEMPTS = 'mcpi.retry.attempts';
export const ATTR_MCPI_RETRY_GAVE_UP = 'mcpi.retry.gave_up';
export const EVENT_MCPI_RATE_LIMITED = 'mcpi.rate_limited';
export const EVENT_MCPI_CIRCUIT_REJECTED = 'mcpi.circuit.rejected';
export const EVENT_MCPI_BULKHEAD_REJECTED = 'mcpi.bulkhead.rejected';
export const EVENT_MCPI_TIMEOUT = 'mcpi.timeout';
export const EVENT_MCPI_RETRY = 'mcpi.retry';
