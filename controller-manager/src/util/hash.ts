// pod-template-hash: how a Deployment names the ReplicaSet of one template, as upstream's
// controller.ComputeHash: FNV-32a over the template (plus the collision count as 8 bytes,
// the low 4 a little-endian uint32), its decimal value encoded with rand.SafeEncodeString.
//
// Upstream hashes Go's spew dump of the typed struct; we hash the template's canonical JSON
// (keys sorted), so the values differ from a real cluster's but keep the properties that
// matter: the same template (and collision count) always gives the same hash, a different
// one almost never does.

/** rand.SafeEncodeString's alphabet: no vowels (no words), no look-alikes (0/o, 1/l, 3/e). */
export const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Maps each character of `s` through the safe alphabet by its code, as rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHANUMS[(ch.codePointAt(0) ?? 0) % SAFE_ALPHANUMS.length];
  return out;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over `bytes`, continuing from `hash` (hash/fnv.New32a). */
export function fnv32a(bytes: Uint8Array, hash: number = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

/**
 * JSON with object keys sorted at every level, so equal values always serialize alike.
 * Object fields that are null or undefined are left out: for the API they mean "not set"
 * (kubectl sends `creationTimestamp: null` in templates; Go's typed structs drop it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** The pod-template-hash of `template` with `collisionCount` (deployment.status.collisionCount). */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}
