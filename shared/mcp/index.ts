export {
  McpClient,
  type McpClientOptions,
  type McpEvent,
  type McpResult,
  type McpToolRun,
  normalizeMcpEndpoint,
} from "./McpClient.js";
