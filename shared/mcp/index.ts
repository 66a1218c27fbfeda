export {
  MCP_APPROVAL_REQUIRED,
  type McpApprovalRequest,
  McpClient,
  type McpClientOptions,
  type McpEvent,
  type McpResult,
  type McpToolDescription,
  type McpToolRun,
  normalizeMcpEndpoint,
} from "./McpClient.js";
