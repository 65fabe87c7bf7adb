// The field tables of the Kubernetes protobuf messages we decode, in a compact notation, and
// their parsed form.
//
// One string per message, one space-separated token per field: `<number>:<json>:<type>[?]`
//   <json>   the JSON name; empty for a Go embedded struct that encoding/json flattens into its
//            parent (Probe's ProbeHandler, Volume's VolumeSource)
//   <type>   string | int32 | int64 | bool | bytes | Name (same package) | alias.Name, optionally
//            prefixed by `*` (a Go pointer), `[]` (repeated) or written `map[K]V`
//   ?        the Go field is `omitempty`
//
// Why Go pointers and omitempty matter: the Go encoder writes every non-pointer field, zero or
// not (`name: ""`, `generation: 0`), so the decoder must apply encoding/json's rules to give the
// JSON a Go client would have sent. See decode-message.ts for those rules.

import { PACKAGE_ALIASES, SPECIAL_TYPES, type SpecialType } from './package-names.ts';
import { schemasByPackage } from './schemas/index.ts';

export type ScalarType = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'int32', 'int64', 'bool', 'bytes']);

/** What one field's value is: a scalar, a hand-decoded message, or a message from the tables. */
export type ValueType = { kind: 'scalar'; scalar: ScalarType } | { kind: 'special'; special: SpecialType } | { kind: 'message'; name: string };

export interface FieldSchema {
  number: number;
  /** '' when the field is an embedded struct flattened into its parent. */
  json: string;
  value: ValueType;
  repeated: boolean;
  /** Set for map<K, V> fields (K is always string in the Kubernetes API); value is V. */
  mapKey?: ScalarType;
  pointer: boolean;
  omitempty: boolean;
}

export interface MessageSchema {
  /** Full name as in OpenAPI, e.g. io.k8s.api.core.v1.Pod. */
  name: string;
  /** In the Go struct's order, which is the order of the JSON keys. */
  fields: ReadonlyMap<number, FieldSchema>;
}

function resolveType(token: string, pkg: string): ValueType {
  if (SCALARS.has(token)) return { kind: 'scalar', scalar: token as ScalarType };
  const dot = token.indexOf('.');
  const full = dot < 0 ? `${pkg}.${token}` : `${PACKAGE_ALIASES[token.slice(0, dot)] ?? '?'}.${token.slice(dot + 1)}`;
  const special = (SPECIAL_TYPES as Record<string, SpecialType>)[full];
  return special ? { kind: 'special', special } : { kind: 'message', name: full };
}

/** Parses one message's notation; throws on a malformed table (a bug, caught by the tests). */
export function parseMessageSchema(name: string, notation: string): MessageSchema {
  const pkg = name.slice(0, name.lastIndexOf('.'));
  const fields = new Map<number, FieldSchema>();
  for (const token of notation.split(' ')) {
    const m = /^(\d+):(\w*):(\*|\[\]|map\[(\w+)\])?([\w.]+)(\?)?$/.exec(token);
    if (!m) throw new Error(`bad field notation ${JSON.stringify(token)} in ${name}`);
    const [, num, json, prefix, mapKey, type, omit] = m;
    if (mapKey !== undefined && !SCALARS.has(mapKey)) throw new Error(`bad map key ${mapKey} in ${name}`);
    fields.set(Number(num), {
      number: Number(num),
      json,
      value: resolveType(type, pkg),
      repeated: prefix === '[]',
      ...(mapKey !== undefined ? { mapKey: mapKey as ScalarType } : {}),
      pointer: prefix === '*',
      omitempty: omit === '?',
    });
  }
  return { name, fields };
}

let registry: Map<string, MessageSchema> | undefined;

/** Parses every table once, on first use. */
function loadRegistry(): Map<string, MessageSchema> {
  if (!registry) {
    registry = new Map();
    for (const [alias, messages] of Object.entries(schemasByPackage)) {
      const pkg = PACKAGE_ALIASES[alias];
      for (const [short, notation] of Object.entries(messages)) registry.set(`${pkg}.${short}`, parseMessageSchema(`${pkg}.${short}`, notation));
    }
  }
  return registry;
}

/** The schema of a message by full name, or undefined when the tables do not hold it. */
export function messageSchema(fullName: string): MessageSchema | undefined {
  return loadRegistry().get(fullName);
}

/** Every message in the tables, for consistency checks. */
export function allMessageSchemas(): MessageSchema[] {
  return [...loadRegistry().values()];
}
