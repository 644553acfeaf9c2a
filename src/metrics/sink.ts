/**
 * What domain code reports to the metrics (src/metrics/index.ts), without depending on
 * prom-client: the HTTP layer reports requests itself.
 */
export interface MetricsSink {
  sessionStarted(): void;
  userLocked(): void;
}

/** A sink that drops everything (metrics off, or code outside a server). */
export const NO_METRICS: MetricsSink = { sessionStarted: () => {}, userLocked: () => {} };
