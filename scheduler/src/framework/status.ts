// The result of a plugin call (upstream framework.Status). An expected outcome such as "this
// node is too small" is a Status value with a code and human reasons, never an exception:
// exceptions are for bugs and outages, and the framework turns them into code Error.
//
// By convention a plugin returns `undefined` for Success (upstream returns a nil *Status), so
// the hot path of filtering thousands of nodes allocates nothing.

export type Code =
  | 'Success'
  /** Something broke (a bug, a missing cycle state): the pod is retried with backoff. */
  | 'Error'
  /** The pod does not fit now; preemption (removing other pods) might help. */
  | 'Unschedulable'
  /** The pod does not fit and removing pods would not help (a taint, a selector, a name). */
  | 'UnschedulableAndUnresolvable'
  /** PreFilter/PreScore only: the plugin has nothing to do for this pod; its Filter/Score is skipped. */
  | 'Skip'
  /** The pod waits for something outside the scheduler (not a node problem). */
  | 'Pending';

export class Status {
  readonly code: Code;
  readonly reasons: readonly string[];
  /** The plugin that produced it, set by the framework. */
  plugin: string;
  readonly error: Error | undefined;

  constructor(code: Code, reasons: readonly string[] = [], error?: Error, plugin = '') {
    this.code = code;
    this.reasons = reasons;
    this.error = error;
    this.plugin = plugin;
  }

  isSuccess(): boolean {
    return this.code === 'Success';
  }

  isSkip(): boolean {
    return this.code === 'Skip';
  }

  /** Unschedulable, UnschedulableAndUnresolvable or Pending: the pod was turned down, nothing broke. */
  isRejected(): boolean {
    return this.code === 'Unschedulable' || this.code === 'UnschedulableAndUnresolvable' || this.code === 'Pending';
  }

  /** The reasons joined as upstream's Status.Message(). */
  message(): string {
    return this.reasons.join(', ');
  }

  withPlugin(plugin: string): this {
    this.plugin = plugin;
    return this;
  }
}

export function newStatus(code: Code, ...reasons: string[]): Status {
  return new Status(code, reasons);
}

/** A Status of code Error carrying `err` (its message is the reason). */
export function asStatus(err: unknown): Status {
  const e = err instanceof Error ? err : new Error(String(err));
  return new Status('Error', [e.message], e);
}

/** True for undefined (the Success convention) and Success statuses. */
export function isSuccess(s: Status | undefined): boolean {
  return s === undefined || s.code === 'Success';
}

export function codeOf(s: Status | undefined): Code {
  return s === undefined ? 'Success' : s.code;
}
