// The field tables: well-formed, closed (every referenced message is in them), and covering
// every kind this apiserver serves.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES, groupVersion } from '@minik8s/shared';
import { allMessageSchemas, messageSchema, parseMessageSchema, type MessageSchema } from '../../src/protobuf/message-schema.ts';
import { API_VERSION_PACKAGES, PACKAGE_ALIASES } from '../../src/protobuf/package-names.ts';

/** The JSON keys of a message, embedded structs flattened. */
function jsonKeys(s: MessageSchema): string[] {
  return [...s.fields.values()].flatMap((f) => (f.json !== '' ? [f.json] : f.value.kind === 'message' ? jsonKeys(messageSchema(f.value.name)!) : ['<embedded non-message>']));
}

describe('protobuf message tables', () => {
  const all = allMessageSchemas();

  it('hold the Kubernetes message catalogue (hundreds of messages)', () => {
    assert.ok(all.length > 200, `${all.length} messages`);
  });

  it('reference only messages that are in the tables', () => {
    const missing = all.flatMap((s) => [...s.fields.values()].filter((f) => f.value.kind === 'message' && !messageSchema(f.value.name)).map((f) => `${s.name}.${f.json}`));
    assert.deepEqual(missing, []);
  });

  it('give every message distinct JSON keys once embedded structs are flattened', () => {
    for (const s of all) {
      const keys = jsonKeys(s);
      assert.equal(new Set(keys).size, keys.length, `${s.name}: ${keys.join(',')}`);
    }
  });

  it('cover every kind the apiserver serves, as a top-level object', () => {
    for (const r of RESOURCES) {
      const alias = API_VERSION_PACKAGES[groupVersion(r)];
      assert.ok(alias, `no package for ${groupVersion(r)}`);
      const s = messageSchema(`${PACKAGE_ALIASES[alias]}.${r.kind}`);
      assert.ok(s, `no table for ${groupVersion(r)} ${r.kind}`);
      assert.equal(s.fields.get(1)?.json, 'metadata', r.kind);
    }
  });

  it('parse the notation and refuse a malformed one', () => {
    const s = parseMessageSchema('io.k8s.api.core.v1.X', '1:name:string 2::Inline 3:ptr:*int32? 4:list:[]meta.Time? 5:m:map[string]resource.Quantity');
    assert.deepEqual(
      [...s.fields.values()].map((f) => [f.number, f.json, f.value, f.repeated, f.mapKey, f.pointer, f.omitempty]),
      [
        [1, 'name', { kind: 'scalar', scalar: 'string' }, false, undefined, false, false],
        [2, '', { kind: 'message', name: 'io.k8s.api.core.v1.Inline' }, false, undefined, false, false],
        [3, 'ptr', { kind: 'scalar', scalar: 'int32' }, false, undefined, true, true],
        [4, 'list', { kind: 'special', special: 'time' }, true, undefined, false, true],
        [5, 'm', { kind: 'special', special: 'quantity' }, false, 'string', false, false],
      ],
    );
    assert.throws(() => parseMessageSchema('X', '1:name'), /bad field notation "1:name" in X/);
    assert.throws(() => parseMessageSchema('X', 'a:name:string'), /bad field notation/);
    assert.throws(() => parseMessageSchema('X', '1:m:map[Foo]string'), /bad map key Foo/);
  });
});
