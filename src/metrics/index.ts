/**
 * Prometheus metrics (prom-client), in one registry per process: HTTP requests by route
 * pattern, method and status with a latency histogram; the hash pool's queue, busy workers,
 * completions and refusals; sessions started; users locked out; and Node's process metrics.
 * docs/operations.md lists every metric.
 *
 * Labels are bounded: a route is its pattern (`/v1/users/:user_id`), never the raw URL, and a
 * request that matched no route is `unmatched`; no label holds a project, user or address.
 *
 * Under `postern serve --workers N`, each worker keeps its own registry and a scrape of any
 * worker's /metrics answers the sum over all workers: the worker asks the primary process,
 * which gathers every worker's registry (prom-client's cluster protocol) and aggregates them.
 */
import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { randomToken } from '../random.js';
import type { MetricsSink } from './sink.js';

/** What the metrics read off the hash pool at each scrape. */
export interface HashPoolGauges {
  workers: number;
  busy: number;
  queued: number;
  maxQueue: number;
  rejected: number;
  completed: number;
}

export { NO_METRICS, type MetricsSink } from './sink.js';

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export class Metrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status'>;
  private readonly duration: Histogram<'route' | 'method'>;
  private readonly sessions: Counter;
  private readonly lockouts: Counter;
  private hashPool: () => HashPoolGauges | null = () => null;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'postern_http_requests_total', help: 'HTTP requests answered, by route pattern, method and status code', labelNames: ['route', 'method', 'status'], registers });
    this.duration = new Histogram({
      name: 'postern_http_request_duration_seconds',
      help: 'Time from receiving a request to answering it, by route pattern and method',
      labelNames: ['route', 'method'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.sessions = new Counter({ name: 'postern_sessions_started_total', help: 'Sessions started (sign-up, login, resets)', registers });
    this.lockouts = new Counter({ name: 'postern_user_lockouts_total', help: 'Users locked out after too many failed attempts', registers });

    // Read off the pool at each scrape (prom-client calls `collect` with the metric as `this`).
    const read = () => this.hashPool();
    const gauge = (name: string, help: string, pick: (s: HashPoolGauges) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect(this: Gauge) {
          const stats = read();
          if (stats) this.set(pick(stats));
        },
      });
    const counter = (name: string, help: string, pick: (s: HashPoolGauges) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect(this: Counter) {
          const stats = read();
          if (!stats) return;
          this.reset();
          this.inc(pick(stats));
        },
      });
    gauge('postern_hash_pool_queue_depth', 'Password hashes waiting for a hash worker', (s) => s.queued);
    gauge('postern_hash_pool_queue_limit', 'Queue length past which password routes are refused with 429', (s) => s.maxQueue);
    gauge('postern_hash_pool_workers', 'Hash worker threads', (s) => s.workers);
    gauge('postern_hash_pool_busy_workers', 'Hash worker threads computing a hash now', (s) => s.busy);
    counter('postern_hash_pool_rejected_total', 'Password hashes refused because the queue was full (answered 429)', (s) => s.rejected);
    counter('postern_hash_pool_completed_total', 'Password hashes and verifications completed', (s) => s.completed);
    collectDefaultMetrics({ register: this.registry });
    if (cluster.isWorker) {
      // Constructing one installs prom-client's answer to the primary's gathering requests.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([this.registry]);
    }
  }

  /** Where the hash-pool gauges read from. */
  watchHashPool(stats: () => HashPoolGauges): void {
    this.hashPool = stats;
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.duration.observe({ route, method }, seconds);
  }

  sessionStarted(): void {
    this.sessions.inc();
  }

  userLocked(): void {
    this.lockouts.inc();
  }

  /** The exposition text: this process's, or under cluster workers, every worker's summed. */
  async text(): Promise<string> {
    if (!cluster.isWorker || !process.send) return this.registry.metrics();
    return askPrimary();
  }
}

const REQUEST = 'postern:metrics-request';
const RESPONSE = 'postern:metrics-response';
const PRIMARY_TIMEOUT_MS = 6_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: string;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: string;
  text?: string;
  error?: string;
}

function askPrimary(): Promise<string> {
  const id = randomToken(12);
  return new Promise((resolve, reject) => {
    const onMessage = (msg: MetricsResponse) => {
      if (msg?.type !== RESPONSE || msg.id !== id) return;
      cleanup();
      if (msg.text !== undefined) resolve(msg.text);
      else reject(new Error(msg.error ?? 'the primary process sent no metrics'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('the primary process did not answer with the metrics in time'));
    }, PRIMARY_TIMEOUT_MS);
    const cleanup = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

/**
 * In the primary process of `postern serve --workers N`: answers a worker's request for the
 * metrics with every worker's, aggregated (counters and histograms summed, gauges summed).
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: MetricsRequest) => {
    if (msg?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: RESPONSE, id: msg.id, text } satisfies MetricsResponse),
      (err: unknown) => worker.send({ type: RESPONSE, id: msg.id, error: String(err) } satisfies MetricsResponse),
    );
  });
}
