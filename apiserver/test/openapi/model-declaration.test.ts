import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelDeclaration } from '../../src/openapi/model-declaration.ts';

const INTERFACE = `import { IIoK8sApiCoreV1EnvVar } from "./EnvVar";
import { IIoK8sApimachineryPkgApiResourceQuantity } from "@kubernetes-models/apimachinery/api/resource/Quantity";
import { ModelData, TypeMeta, Model } from "@kubernetes-models/base";
/**
 * A thing.
 *
 * Second paragraph with \\* an escaped star.
 * @deprecated
 */
export interface IThing extends TypeMeta {
    "apiVersion": "v1";
    /**
     * Env of the thing.
     */
    "env"?: Array<IIoK8sApiCoreV1EnvVar>;
    /**
     * Policy.
     *
     * Possible enum values:
     *  - \`"A"\` is a.
     */
    "policy"?: "A" | "B";
    "limits"?: {
        [key: string]: IIoK8sApimachineryPkgApiResourceQuantity;
    };
    "count": number;
    "inline"?: Array<{
        /**
         * Inner name.
         */
        "name"?: string;
        "on": boolean;
    }>;
}
/**
 * A thing.
 */
export declare class Thing extends Model<IThing> implements IThing {
    "count": number;
    constructor(data?: ModelData<IThing>);
}
`;

test('an interface declaration: description, properties, optionality and types', () => {
  const d = parseModelDeclaration(INTERFACE);
  assert.equal(d.description, 'A thing.\n\nSecond paragraph with * an escaped star.');
  assert.equal(d.imports.get('IIoK8sApiCoreV1EnvVar'), './EnvVar');
  assert.equal(d.imports.get('IIoK8sApimachineryPkgApiResourceQuantity'), '@kubernetes-models/apimachinery/api/resource/Quantity');
  const byName = new Map(d.properties!.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()], ['apiVersion', 'env', 'policy', 'limits', 'count', 'inline']);
  assert.deepEqual(byName.get('apiVersion'), { name: 'apiVersion', optional: false, type: { kind: 'literal', values: ['v1'] } });
  assert.deepEqual(byName.get('env'), {
    name: 'env',
    optional: true,
    description: 'Env of the thing.',
    type: { kind: 'array', items: { kind: 'ref', identifier: 'IIoK8sApiCoreV1EnvVar' } },
  });
  assert.equal(byName.get('policy')!.description, 'Policy.\n\nPossible enum values:\n - `"A"` is a.');
  assert.deepEqual(byName.get('policy')!.type, { kind: 'literal', values: ['A', 'B'] });
  assert.deepEqual(byName.get('limits')!.type, { kind: 'map', values: { kind: 'ref', identifier: 'IIoK8sApimachineryPkgApiResourceQuantity' } });
  assert.deepEqual(byName.get('count'), { name: 'count', optional: false, type: { kind: 'primitive', name: 'number' } });
  assert.deepEqual(byName.get('inline')!.type, {
    kind: 'array',
    items: {
      kind: 'object',
      properties: [
        { name: 'name', optional: true, description: 'Inner name.', type: { kind: 'primitive', name: 'string' } },
        { name: 'on', optional: false, type: { kind: 'primitive', name: 'boolean' } },
      ],
    },
  });
});

test('a type alias declaration', () => {
  const d = parseModelDeclaration(`/**
 * IntOrString holds an int32 or a string.
 */
export declare type IIntOrString = string | number;
export declare type IntOrString = IIntOrString;
`);
  assert.equal(d.description, 'IntOrString holds an int32 or a string.');
  assert.deepEqual(d.alias, { kind: 'union', of: [{ kind: 'primitive', name: 'string' }, { kind: 'primitive', name: 'number' }] });
  assert.equal(d.properties, undefined);
});

test('syntax outside the generator grammar is refused, not skipped', () => {
  assert.throws(() => parseModelDeclaration('export interface IX {\n    "a"?: Map<string, string>;\n}\n'), /expected/);
  assert.throws(() => parseModelDeclaration('export const x = 1;\n'), /neither an interface nor a type alias/);
});
