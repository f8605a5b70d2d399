// Drops nodes whose health checks (or failed connections on real traffic) marked them unhealthy.
import type { Filter } from "../types.ts";

export const healthy: Filter = { name: "healthy", keep: (c) => c.healthy };
