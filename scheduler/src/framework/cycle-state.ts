// Per-pod, per-cycle scratch space (upstream framework.CycleState): PreFilter/PreScore write
// what they computed once, Filter/Score read it for every node. Each scheduling attempt gets a
// fresh one, so nothing leaks from one pod to the next.

export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Plugins whose PreFilter said Skip: their Filter is not called this cycle. */
  readonly skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore said Skip: their Score is not called this cycle. */
  readonly skipScorePlugins = new Set<string>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** The value written under `key`; throws when PreFilter/PreScore did not write it (a bug). */
  read<T>(key: string): T {
    if (!this.data.has(key)) throw new Error(`reading "${key}" from cycleState: not found`);
    return this.data.get(key) as T;
  }

  has(key: string): boolean {
    return this.data.has(key);
  }
}
