export { McpClient, normalizeMcpEndpoint, type McpClientOptions, type McpEvent, type McpResult, type McpToolRun } from "./McpClient.js";
