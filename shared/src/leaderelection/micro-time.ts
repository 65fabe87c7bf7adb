// metav1.MicroTime: RFC 3339 in UTC with exactly six fractional digits,
// "2006-01-02T15:04:05.000000Z", as Lease renewTime/acquireTime are written.

export function formatMicroTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  return `${iso.slice(0, 23)}000Z`;
}

/** Milliseconds since the epoch, or undefined for a missing or unreadable value. */
export function parseMicroTime(s: string | undefined | null): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}
