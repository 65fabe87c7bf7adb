// Reads one type declaration file of the `kubernetes-models` package (one `.d.ts` per
// OpenAPI definition, generated from the official Kubernetes OpenAPI spec) into a small
// model: its imports, its description, and either its properties or the type it aliases.
//
// The files are generator output with a narrow grammar, which this parser accepts and
// nothing more; anything else throws, so a package update that changes the shape fails
// loudly in the tests instead of silently dropping fields:
//
//   import { IIoK8sApiCoreV1PodSpec } from "./PodSpec";
//   /** <description> */
//   export interface IPod extends TypeMeta {
//       /** <description> */
//       "spec"?: IIoK8sApiCoreV1PodSpec;
//   }
//   export declare type IQuantity = number | string;
//
// Types: string | number | boolean | any | "literal" | A | B | Array<T> | { [key: string]: T; }
// | { <properties> } | an imported identifier.

export type TypeExpr =
  | { kind: 'primitive'; name: 'string' | 'number' | 'boolean' | 'any' }
  | { kind: 'literal'; values: string[] }
  | { kind: 'union'; of: TypeExpr[] }
  | { kind: 'ref'; identifier: string }
  | { kind: 'array'; items: TypeExpr }
  | { kind: 'map'; values: TypeExpr }
  | { kind: 'object'; properties: PropertyDeclaration[] };

export interface PropertyDeclaration {
  name: string;
  optional: boolean;
  description?: string;
  type: TypeExpr;
}

export interface ModelDeclaration {
  /** identifier -> module specifier, as written in the file. */
  imports: Map<string, string>;
  description?: string;
  /** Set for an `export interface`. */
  properties?: PropertyDeclaration[];
  /** Set for an `export type X = ...` alias. */
  alias?: TypeExpr;
}

/** Turns JSDoc text into the description string: one line per line, `\*` unescaped, tags dropped. */
function docText(raw: string): string | undefined {
  const lines = raw
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const kept = lines.filter((l) => !/^@\w+/.test(l.trim()));
  const text = kept.join('\n').replace(/\\\*/g, '*').replace(/\*\\\//g, '*/').trim();
  return text === '' ? undefined : text;
}

class Scanner {
  readonly text: string;
  pos: number;
  /** The JSDoc seen since the last consumed token, for the declaration that follows it. */
  doc: string | undefined;

  constructor(text: string, pos: number) {
    this.text = text;
    this.pos = pos;
  }

  skip(): void {
    for (;;) {
      const m = /^\s+/.exec(this.text.slice(this.pos, this.pos + 4096));
      if (m) this.pos += m[0].length;
      if (this.text.startsWith('/**', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 3);
        if (end < 0) this.fail('unterminated comment');
        this.doc = docText(this.text.slice(this.pos, end + 2));
        this.pos = end + 2;
        continue;
      }
      return;
    }
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.eat(s)) this.fail(`expected ${JSON.stringify(s)}`);
  }

  match(re: RegExp): string {
    this.skip();
    const m = re.exec(this.text.slice(this.pos));
    if (!m || m.index !== 0) this.fail(`expected ${re}`);
    this.pos += m[0].length;
    return m[0];
  }

  takeDoc(): string | undefined {
    const d = this.doc;
    this.doc = undefined;
    return d;
  }

  fail(why: string): never {
    const line = this.text.slice(0, this.pos).split('\n').length;
    throw new Error(`kubernetes-models declaration: ${why} at line ${line}: ${JSON.stringify(this.text.slice(this.pos, this.pos + 60))}`);
  }
}

const STRING_LITERAL = /"(?:[^"\\]|\\.)*"/;
const IDENTIFIER = /[A-Za-z_$][\w$]*/;

function parseType(s: Scanner): TypeExpr {
  const parts: TypeExpr[] = [parsePrimary(s)];
  while (s.eat('|')) parts.push(parsePrimary(s));
  if (parts.length === 1) return parts[0];
  if (parts.every((p) => p.kind === 'literal')) {
    return { kind: 'literal', values: parts.flatMap((p) => (p.kind === 'literal' ? p.values : [])) };
  }
  return { kind: 'union', of: parts };
}

function parsePrimary(s: Scanner): TypeExpr {
  if (s.peek('"')) return { kind: 'literal', values: [JSON.parse(s.match(STRING_LITERAL)) as string] };
  if (s.eat('Array<')) {
    const items = parseType(s);
    s.expect('>');
    return { kind: 'array', items };
  }
  if (s.eat('{')) {
    if (s.eat('[')) {
      s.match(IDENTIFIER);
      s.expect(':');
      s.expect('string');
      s.expect(']');
      s.expect(':');
      const values = parseType(s);
      s.expect(';');
      s.expect('}');
      return { kind: 'map', values };
    }
    return { kind: 'object', properties: parseMembers(s) };
  }
  const id = s.match(IDENTIFIER);
  if (id === 'string' || id === 'number' || id === 'boolean' || id === 'any') return { kind: 'primitive', name: id };
  if (id === 'unknown' || id === 'object') return { kind: 'primitive', name: 'any' };
  return { kind: 'ref', identifier: id };
}

/** Members up to and including the closing brace. */
function parseMembers(s: Scanner): PropertyDeclaration[] {
  const props: PropertyDeclaration[] = [];
  while (!s.eat('}')) {
    const nameToken = s.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$]*/);
    const description = s.takeDoc();
    const name = nameToken.startsWith('"') ? (JSON.parse(nameToken) as string) : nameToken;
    const optional = s.eat('?');
    s.expect(':');
    const type = parseType(s);
    s.expect(';');
    const prop: PropertyDeclaration = { name, optional, type };
    if (description !== undefined) prop.description = description;
    props.push(prop);
    s.takeDoc();
  }
  return props;
}

export function parseModelDeclaration(text: string): ModelDeclaration {
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{([^}]*)\} from "([^"]+)";$/gm)) {
    for (const raw of m[1].split(',')) {
      const id = raw.trim().split(/\s+as\s+/).pop();
      if (id) imports.set(id, m[2]);
    }
  }
  const decl: ModelDeclaration = { imports };
  const iface = /^export interface \w+(?: extends [\w, ]+)? \{/m.exec(text);
  const alias = /^export (?:declare )?type (\w+) = /m.exec(text);
  if (iface) {
    const s = new Scanner(text, iface.index + iface[0].length);
    decl.properties = parseMembers(s);
    const description = docBefore(text, iface.index);
    if (description !== undefined) decl.description = description;
  } else if (alias) {
    const s = new Scanner(text, alias.index + alias[0].length);
    decl.alias = parseType(s);
    s.expect(';');
    const description = docBefore(text, alias.index);
    if (description !== undefined) decl.description = description;
  } else {
    throw new Error('kubernetes-models declaration: neither an interface nor a type alias');
  }
  return decl;
}

/** The JSDoc block that ends right before `index` (only whitespace between), if any. */
function docBefore(text: string, index: number): string | undefined {
  const before = text.slice(0, index).trimEnd();
  if (!before.endsWith('*/')) return undefined;
  const start = before.lastIndexOf('/**');
  return start < 0 ? undefined : docText(before.slice(start));
}
