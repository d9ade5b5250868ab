import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as sc from './semconv.js';

// Our copies must not drift from the published registry: a rename upstream fails here.
describe('semconv', () => {
  it.each([
    ['ATTR_MCP_METHOD_NAME', incubating.ATTR_MCP_METHOD_NAME],
    ['ATTR_MCP_PROTOCOL_VERSION', incubating.ATTR_MCP_PROTOCOL_VERSION],
    ['ATTR_MCP_RESOURCE_URI', incubating.ATTR_MCP_RESOURCE_URI],
    ['ATTR_MCP_SESSION_ID', incubating.ATTR_MCP_SESSION_ID],
    ['ATTR_JSONRPC_REQUEST_ID', incubating.ATTR_JSONRPC_REQUEST_ID],
    ['ATTR_GEN_AI_TOOL_NAME', incubating.ATTR_GEN_AI_TOOL_NAME],
    ['ATTR_GEN_AI_PROMPT_NAME', incubating.ATTR_GEN_AI_PROMPT_NAME],
    ['ATTR_GEN_AI_OPERATION_NAME', incubating.ATTR_GEN_AI_OPERATION_NAME],
    ['ATTR_GEN_AI_TOOL_CALL_ARGUMENTS', incubating.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS],
    ['ATTR_GEN_AI_TOOL_CALL_RESULT', incubating.ATTR_GEN_AI_TOOL_CALL_RESULT],
    ['ATTR_ERROR_TYPE', incubating.ATTR_ERROR_TYPE],
    ['ATTR_RPC_RESPONSE_STATUS_CODE', incubating.ATTR_RPC_RESPONSE_STATUS_CODE],
    ['ATTR_NETWORK_TRANSPORT', incubating.ATTR_NETWORK_TRANSPORT],
    ['ATTR_NETWORK_PROTOCOL_NAME', incubating.ATTR_NETWORK_PROTOCOL_NAME],
    ['GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL', incubating.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL],
    ['ERROR_TYPE_VALUE_OTHER', incubating.ERROR_TYPE_VALUE_OTHER],
    ['NETWORK_TRANSPORT_VALUE_PIPE', incubating.NETWORK_TRANSPORT_VALUE_PIPE],
    ['NETWORK_TRANSPORT_VALUE_TCP', incubating.NETWORK_TRANSPORT_VALUE_TCP],
    ['METRIC_MCP_CLIENT_OPERATION_DURATION', incubating.METRIC_MCP_CLIENT_OPERATION_DURATION],
    ['METRIC_MCP_SERVER_OPERATION_DURATION', incubating.METRIC_MCP_SERVER_OPERATION_DURATION],
  ])('%s matches @opentelemetry/semantic-conventions', (name, published) => {
    expect(sc[name as keyof typeof sc]).toBe(published);
  });
});
