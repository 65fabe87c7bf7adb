// Regenerates ./schemas/*.ts, the field tables the protobuf decoder reads, from a checkout of
// github.com/kubernetes/api and github.com/kubernetes/apimachinery:
//
//   node apiserver/src/protobuf/generate-schemas.ts <kubernetes/api dir> <kubernetes/apimachinery dir> <tag>
//
// (last run on both repositories at tag v0.36.3, i.e. Kubernetes 1.36: a superset of what the
// 1.32 clients send, since field numbers are never reused).
//
// Field numbers and proto types come from each package's generated.proto; what JSON makes of a
// field (its name, omitempty, a Go pointer, an embedded struct flattened into its parent) is only
// in the Go struct tags of types.go, so both are read. Only the messages reachable from ROOTS are
// written. Nothing of the checkout is copied: the output is our own compact notation (see
// message-schema.ts), and the checkout itself is never committed.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ALIASES, SPECIAL_TYPES } from './package-names.ts';

/** Kinds a client may POST/PUT as protobuf: every kind we serve plus those `kubectl create` builds. */
const ROOTS: Record<string, string[]> = {
  core: ['Namespace', 'Pod', 'Node', 'Service', 'Endpoints', 'Event', 'ConfigMap', 'Secret', 'ServiceAccount', 'ComponentStatus', 'Binding', 'ResourceQuota'],
  apps: ['Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'ControllerRevision'],
  batch: ['Job', 'CronJob'],
  coordination: ['Lease'],
  discovery: ['EndpointSlice'],
  policy: ['Eviction', 'PodDisruptionBudget'],
  autoscaling: ['Scale'],
  scheduling: ['PriorityClass'],
  rbac: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
  networking: ['Ingress'],
};

/** Where each alias's generated.proto and Go types live, relative to the two checkouts. */
function packageDir(alias: string, apiDir: string, machineryDir: string): string {
  const full = PACKAGE_ALIASES[alias];
  if (full.startsWith('io.k8s.api.')) return join(apiDir, full.slice('io.k8s.api.'.length).replace('.', '/'));
  return join(machineryDir, full.slice('io.k8s.apimachinery.'.length).replaceAll('.', '/'));
}

interface ProtoField {
  number: number;
  protoName: string;
  label: 'optional' | 'repeated' | 'map';
  type: string; // fully qualified (io.k8s...) for messages, bare for scalars
  mapKey?: string;
}
interface ProtoMessage {
  fullName: string;
  fields: ProtoField[];
  /** Marked +protobuf.nullable: a Go slice type wrapped in a message with one `items` field. */
  goSlice: boolean;
}

const SCALARS = new Set(['string', 'int32', 'int64', 'bool', 'bytes']);

function qualify(type: string, pkg: string): string {
  if (SCALARS.has(type)) return type;
  if (type.startsWith('.')) type = type.slice(1);
  if (type.startsWith('k8s.io.')) return 'io.k8s.' + type.slice('k8s.io.'.length);
  return `${pkg}.${type}`;
}

function parseProto(text: string): ProtoMessage[] {
  const pkgMatch = /^package ([\w.]+);/m.exec(text);
  if (!pkgMatch) throw new Error('no package line');
  const pkg = 'io.k8s.' + pkgMatch[1].slice('k8s.io.'.length);
  const out: ProtoMessage[] = [];
  const lines = text.split('\n');
  let current: ProtoMessage | undefined;
  let comments: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t.startsWith('//')) {
      comments.push(t);
      continue;
    }
    const msg = /^message (\w+) \{/.exec(t);
    if (msg) {
      current = { fullName: `${pkg}.${msg[1]}`, fields: [], goSlice: comments.some((c) => c.includes('+protobuf.nullable=true')) };
      out.push(current);
    } else if (t === '}') {
      current = undefined;
    } else if (current) {
      const f = /^(optional|repeated) ([\w.]+) (\w+) = (\d+)/.exec(t);
      const m = /^map<([\w.]+), ([\w.]+)> (\w+) = (\d+)/.exec(t);
      if (f) current.fields.push({ number: Number(f[4]), protoName: f[3], label: f[1] as 'optional' | 'repeated', type: qualify(f[2], pkg) });
      else if (m) current.fields.push({ number: Number(m[4]), protoName: m[3], label: 'map', mapKey: m[1], type: qualify(m[2], pkg) });
      else if (t !== '') throw new Error(`unparsed line in ${current.fullName}: ${t}`);
    }
    comments = [];
  }
  return out;
}

interface GoField {
  json: string; // '' = embedded and flattened into the parent by encoding/json
  omitempty: boolean;
  pointer: boolean;
}

/** Go struct name -> protobuf field number -> what encoding/json does with it. */
function parseGoStructs(dir: string): Map<string, Map<number, GoField>> {
  const out = new Map<string, Map<number, GoField>>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_') || file.startsWith('generated')) continue;
    let current: Map<number, GoField> | undefined;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const st = /^type (\w+) struct \{/.exec(line);
      if (st) {
        current = new Map();
        out.set(st[1], current);
        continue;
      }
      if (line.startsWith('}')) current = undefined;
      if (!current) continue;
      const tagAt = line.indexOf('`');
      if (tagAt < 0) continue;
      const tag = line.slice(tagAt);
      const pb = /protobuf:"[a-z0-9]+,(\d+),/.exec(tag);
      if (!pb) continue;
      const js = /json:"([^"]*)"/.exec(tag);
      const [name = '', ...opts] = (js?.[1] ?? '').split(',');
      const decl = line.slice(0, tagAt).trim().split(/\s+/);
      const embedded = decl.length === 1;
      const goType = decl[decl.length - 1];
      current.set(Number(pb[1]), { json: embedded && name === '' ? '' : name || decl[0], omitempty: opts.includes('omitempty'), pointer: goType.startsWith('*') });
    }
  }
  return out;
}

function main(apiDir: string, machineryDir: string, tag: string): void {
  const messages = new Map<string, ProtoMessage>();
  const goByPackage = new Map<string, Map<string, Map<number, GoField>>>();
  for (const alias of Object.keys(PACKAGE_ALIASES)) {
    const dir = packageDir(alias, apiDir, machineryDir);
    for (const m of parseProto(readFileSync(join(dir, 'generated.proto'), 'utf8'))) messages.set(m.fullName, m);
    goByPackage.set(PACKAGE_ALIASES[alias], parseGoStructs(dir));
  }

  // 1. The closure of the roots, stopping at the types the decoder handles by hand.
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (SCALARS.has(name) || name in SPECIAL_TYPES || wanted.has(name)) return;
    const m = messages.get(name);
    if (!m) throw new Error(`message ${name} not found`);
    wanted.add(name);
    for (const f of m.fields) visit(f.type);
  };
  for (const [alias, kinds] of Object.entries(ROOTS)) for (const k of kinds) visit(`${PACKAGE_ALIASES[alias]}.${k}`);

  // 2. One file per package, one line per message.
  const written: string[] = [];
  const aliasOf = new Map(Object.entries(PACKAGE_ALIASES).map(([a, full]) => [full, a]));
  for (const [alias, full] of Object.entries(PACKAGE_ALIASES)) {
    const names = [...wanted].filter((n) => n.slice(0, n.lastIndexOf('.')) === full).sort();
    if (names.length === 0) continue;
    const go = goByPackage.get(full)!;
    const ref = (t: string) => {
      if (SCALARS.has(t)) return t;
      const p = t.slice(0, t.lastIndexOf('.'));
      return p === full ? t.slice(p.length + 1) : `${aliasOf.get(p)}.${t.slice(p.length + 1)}`;
    };
    const lines: string[] = [];
    for (const n of names) {
      const m = messages.get(n)!;
      const short = n.slice(full.length + 1);
      const goStruct = go.get(short);
      // A message wrapping a Go slice (+protobuf.nullable, e.g. meta.v1 Verbs) would need its own JSON rule.
      if (m.goSlice) throw new Error(`${n} wraps a Go slice: teach decode-message.ts its JSON form first`);
      if (!goStruct) throw new Error(`no Go struct for ${n}`);
      const fields = m.fields.map((f) => {
        const g = goStruct.get(f.number);
        if (!g) throw new Error(`no Go field for ${n} field ${f.number} (${f.protoName})`);
        let type = ref(f.type);
        if (f.label === 'repeated') type = `[]${type}`;
        else if (f.label === 'map') type = `map[${f.mapKey}]${type}`;
        else if (g.pointer) type = `*${type}`;
        return `${f.number}:${g.json}:${type}${g.omitempty ? '?' : ''}`;
      });
      lines.push(`  ${short}: '${fields.join(' ')}',`);
    }
    const constName = `${alias}Schemas`;
    writeFileSync(
      join(import.meta.dirname, 'schemas', `${alias}.ts`),
      `// Generated by ../generate-schemas.ts from ${full} at ${tag} (generated.proto + Go struct tags); edit by regenerating.\n` +
        `// Notation: see ../message-schema.ts.\n\n` +
        `export const ${constName}: Record<string, string> = {\n${lines.join('\n')}\n};\n`,
    );
    written.push(alias);
    console.log(`schemas/${alias}.ts: ${names.length} messages`);
  }
  writeFileSync(
    join(import.meta.dirname, 'schemas', 'index.ts'),
    `// Generated by ../generate-schemas.ts: the tables of every package, by alias (see ../package-names.ts).\n\n` +
      written.map((a) => `import { ${a}Schemas } from './${a}.ts';\n`).join('') +
      `\nexport const schemasByPackage: Record<string, Record<string, string>> = {\n` +
      written.map((a) => `  ${a}: ${a}Schemas,\n`).join('') +
      `};\n`,
  );
}

const [apiDir, machineryDir, tag] = process.argv.slice(2);
if (!apiDir || !machineryDir || !tag) {
  console.error('usage: generate-schemas.ts <kubernetes/api dir> <kubernetes/apimachinery dir> <tag of both checkouts>');
  process.exit(2);
}
main(apiDir, machineryDir, tag);
