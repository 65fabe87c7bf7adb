// Small helpers on plain JSON values shared by the three patch kinds.

export type JsonObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

/** JSON equality: same type, same members; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A deep copy of a JSON value (inputs are never shared with or mutated by the result). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Sets `o[key]` as an own data property, even for `__proto__` (no prototype change). */
export function setKey(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** Go's `%v` of a decoded JSON value (`map[a:1 b:x]`, `[1 2]`, `<nil>`), for upstream-shaped messages. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goFormat(v[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** `o[key]` if it is an own property, else undefined (never the prototype's). */
export function getOwn(o: JsonObject, key: string): unknown {
  return hasOwn(o, key) ? o[key] : undefined;
}
