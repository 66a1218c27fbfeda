import type { CoreClient } from "./CoreClient.js";

/**
 * The client to core, sending the gateway's own key (CORE_API_KEY) on every call. The client's key is never passed
 * on: the gateway authenticates its clients, the cores authenticate the gateway.
 */
export function withCoreApiKey(client: CoreClient, key: string | null): CoreClient {
  if (!key) return client;
  return {
    state: () => client.state(),
    maintenance: () => client.maintenance(),
    post: (path, request) =>
      client.post(path, { ...request, headers: { ...request.headers, authorization: `Bearer ${key}` } }),
  };
}
