// Shared fixtures for the printer tests: one fixed clock, and timestamps relative to it.

export const NOW = new Date('2025-03-01T12:00:00Z');

/** The RFC 3339 time `ms` milliseconds before NOW, second precision as the API stores it. */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace('.000Z', 'Z');
}

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;
