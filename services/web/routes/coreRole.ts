import type { ServedResponse } from "../http/index.js";

/** Which core answered: its own `X-Gaia-Role` header, else inferred from the endpoint that served. */
export function servedByRole(served: ServedResponse): string {
  const role = served.response.headers.get("x-gaia-role");
  if (role === "primary" || role === "candidate") return role;
  return served.servedBy === "primary" ? "primary" : "candidate";
}
