// Informer (reflector) metrics as a swappable provider; a component wires it to Prometheus
// (component/metrics.ts). No-ops until then.

export interface InformerMetrics {
  /** A list (all of its pages) was started for reflector `name`. */
  list(name: string): void;
  /** A watch was started for reflector `name`. */
  watch(name: string): void;
  /** One watch event of `type` was received. */
  watchEvent(name: string, type: string): void;
}

const noop: InformerMetrics = { list() {}, watch() {}, watchEvent() {} };

let provider: InformerMetrics = noop;

export function setInformerMetrics(p: InformerMetrics | undefined): void {
  provider = p ?? noop;
}

export function informerMetrics(): InformerMetrics {
  return provider;
}
