// Polling with a deadline: the one way tests wait for a condition (never a fixed sleep).

export interface WaitForOptions {
  /** Give up after this long. Default 10 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 50 ms. */
  intervalMs?: number;
  /** What was awaited, for the error at the deadline. */
  message?: string;
}

/** The values `waitFor` keeps polling on. */
type Falsy = false | 0 | 0n | '' | null | undefined;

/**
 * Calls `fn` until it returns a truthy value without throwing, and resolves with that value.
 * A falsy result or a thrown error means "not yet". At the deadline it rejects with `message`,
 * the last error (also as `cause`) or the last falsy value. An attempt still pending at the
 * deadline does not hold the caller: the deadline wins.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, opts: WaitForOptions = {}): Promise<Exclude<T, Falsy>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    const outcome = await settleBefore(fn, deadline);
    if (outcome.kind === 'value') {
      if (outcome.value) return outcome.value as Exclude<T, Falsy>;
      lastValue = outcome.value;
      lastError = undefined;
    } else if (outcome.kind === 'error') {
      lastError = outcome.error;
    }
    const remaining = deadline - Date.now();
    if (outcome.kind === 'deadline' || remaining <= 0) {
      const last =
        outcome.kind === 'deadline'
          ? 'the last attempt was still running'
          : lastError !== undefined
            ? `last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`
            : `last value: ${describe(lastValue)}`;
      throw new Error(`${opts.message ?? 'condition not met'} (waited ${timeoutMs} ms, ${attempts} attempts; ${last})`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
  }
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'deadline' };

async function settleBefore<T>(fn: () => T | Promise<T>, deadline: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const attempt = (async (): Promise<Outcome<T>> => {
    try {
      return { kind: 'value', value: await fn() };
    } catch (error) {
      return { kind: 'error', error };
    }
  })();
  const expired = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'deadline' }), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 200)}...` : s;
  } catch {
    return String(v);
  }
}
