// Polls a condition until it holds or a deadline passes: how these tests wait, never by
// sleeping a fixed time. The deadline only bounds a failing test; it is not a threshold.

export async function waitUntil(cond: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
