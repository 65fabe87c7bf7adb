// REST client metrics as a swappable provider (client-go's tools/metrics): the client calls
// these hooks, a component wires them to Prometheus (component/metrics.ts). No-ops until then.

export interface RestClientMetrics {
  /** One finished HTTP attempt; `code` is the status code, or "<error>" for a transport error. */
  requestResult(method: string, host: string, code: string): void;
  requestLatency(method: string, host: string, seconds: number): void;
  /** Time spent waiting on the client-side QPS limiter. */
  rateLimiterLatency(method: string, host: string, seconds: number): void;
}

const noop: RestClientMetrics = {
  requestResult() {},
  requestLatency() {},
  rateLimiterLatency() {},
};

let provider: RestClientMetrics = noop;

export function setRestClientMetrics(p: RestClientMetrics | undefined): void {
  provider = p ?? noop;
}

export function restClientMetrics(): RestClientMetrics {
  return provider;
}
