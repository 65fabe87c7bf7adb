// Where the OpenAPI definitions live on disk: the `kubernetes-models` package ships one type
// declaration per definition of the official Kubernetes OpenAPI spec (v1.33.0 for 4.5.x),
// laid out by API group, and its `@kubernetes-models/apimachinery` dependency ships the
// apimachinery ones (ObjectMeta, Time, Quantity, IntOrString, ...). This module maps a
// definition name such as `io.k8s.api.core.v1.PodSpec` to its file and back, and loads the
// closure of definitions reachable from some roots.

import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelDeclaration, type ModelDeclaration, type TypeExpr } from './model-declaration.ts';

export interface LoadedDefinition {
  /** The OpenAPI definition name, e.g. `io.k8s.api.core.v1.PodSpec`. */
  name: string;
  declaration: ModelDeclaration;
  /** Imported identifier -> definition name, for the `ref` types of the declaration. */
  refs: Map<string, string>;
}

interface PackageRoots {
  models: string;
  apimachinery: string;
  /** First label of an API group (the Go package name) -> the group's folder, e.g. coordination -> coordination.k8s.io. */
  groupFolders: Map<string, string>;
}

let roots: PackageRoots | undefined;

function packageRoots(): PackageRoots {
  if (roots) return roots;
  // Resolve through a file the export map exposes; the apimachinery package is resolved from
  // kubernetes-models itself so the pair is always the one the package was built against.
  const podFile = fileURLToPath(import.meta.resolve('kubernetes-models/v1/Pod'));
  const models = dirname(dirname(podFile));
  const objectMetaFile = createRequire(podFile).resolve('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta');
  const apimachinery = resolve(dirname(objectMetaFile), '..', '..', '..');
  const groupFolders = new Map<string, string>();
  for (const entry of readdirSync(models, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.includes('.')) groupFolders.set(entry.name.split('.')[0], entry.name);
    else if (entry.isDirectory() && !entry.name.startsWith('_') && entry.name !== 'v1') groupFolders.set(entry.name, entry.name);
  }
  roots = { models, apimachinery, groupFolders };
  return roots;
}

const API_PREFIX = 'io.k8s.api.';
const APIMACHINERY_PREFIX = 'io.k8s.apimachinery.pkg.';

/** The declaration file of a definition, or undefined when the name is not of a known form. */
export function definitionFile(name: string): string | undefined {
  const r = packageRoots();
  if (name.startsWith(APIMACHINERY_PREFIX)) {
    return join(r.apimachinery, ...name.slice(APIMACHINERY_PREFIX.length).split('.')) + '.d.ts';
  }
  if (name.startsWith(API_PREFIX)) {
    const parts = name.slice(API_PREFIX.length).split('.');
    if (parts.length !== 3) return undefined;
    const [pkg, version, type] = parts;
    if (pkg === 'core') return join(r.models, version, `${type}.d.ts`);
    const folder = r.groupFolders.get(pkg);
    return folder ? join(r.models, folder, version, `${type}.d.ts`) : undefined;
  }
  return undefined;
}

/** The definition name of a declaration file (the inverse of definitionFile). */
export function definitionName(file: string): string {
  const r = packageRoots();
  const stem = file.replace(/\.(d\.ts|js|mjs)$/, '');
  const inMachinery = relative(r.apimachinery, stem);
  if (!inMachinery.startsWith('..')) return APIMACHINERY_PREFIX + inMachinery.split(sep).join('.');
  const parts = relative(r.models, stem).split(sep);
  if (parts.length === 2) return `${API_PREFIX}core.${parts[0]}.${parts[1]}`;
  if (parts.length === 3) return `${API_PREFIX}${parts[0].split('.')[0]}.${parts[1]}.${parts[2]}`;
  throw new Error(`not a kubernetes-models declaration: ${file}`);
}

function moduleFile(fromFile: string, specifier: string): string {
  const r = packageRoots();
  const machineryPkg = '@kubernetes-models/apimachinery/';
  if (specifier.startsWith(machineryPkg)) return join(r.apimachinery, specifier.slice(machineryPkg.length));
  if (specifier.startsWith('.')) return resolve(dirname(fromFile), specifier);
  throw new Error(`unexpected import ${specifier} in ${fromFile}`);
}

function refsOf(t: TypeExpr, out: Set<string>): void {
  switch (t.kind) {
    case 'ref':
      out.add(t.identifier);
      break;
    case 'array':
      refsOf(t.items, out);
      break;
    case 'map':
      refsOf(t.values, out);
      break;
    case 'union':
      for (const x of t.of) refsOf(x, out);
      break;
    case 'object':
      for (const p of t.properties) refsOf(p.type, out);
      break;
  }
}

/** Reads and parses one definition, resolving the identifiers it references to definition names. */
export function loadDefinition(name: string): LoadedDefinition {
  const file = definitionFile(name);
  if (!file) throw new Error(`no kubernetes-models declaration for ${name}`);
  const declaration = parseModelDeclaration(readFileSync(file, 'utf8'));
  const used = new Set<string>();
  if (declaration.alias) refsOf(declaration.alias, used);
  for (const p of declaration.properties ?? []) refsOf(p.type, used);
  const refs = new Map<string, string>();
  for (const id of used) {
    const specifier = declaration.imports.get(id);
    if (!specifier) throw new Error(`${name}: ${id} is not imported`);
    refs.set(id, definitionName(moduleFile(file, specifier)));
  }
  return { name, declaration, refs };
}

/**
 * The definitions reachable from `rootNames`, by name. `extraEdges` adds references the
 * declarations do not carry (see OVERRIDDEN_PROPERTIES in component-schemas.ts).
 */
export function loadClosure(rootNames: Iterable<string>, extraEdges: Iterable<string> = []): Map<string, LoadedDefinition> {
  const out = new Map<string, LoadedDefinition>();
  const queue = [...rootNames, ...extraEdges];
  while (queue.length) {
    const name = queue.pop()!;
    if (out.has(name)) continue;
    const def = loadDefinition(name);
    out.set(name, def);
    for (const target of def.refs.values()) if (!out.has(target)) queue.push(target);
  }
  return out;
}
