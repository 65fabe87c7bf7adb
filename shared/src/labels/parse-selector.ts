// The label selector string syntax (upstream labels.Parse):
//
//   <selector-syntax>         ::= <requirement> | <requirement> "," <selector-syntax>
//   <requirement>             ::= [!] KEY [ <set-based-restriction> | <exact-match-restriction> ]
//   <set-based-restriction>   ::= "" | ("in" | "notin") "(" <values> ")"
//   <exact-match-restriction> ::= ("=" | "==" | "!=" | ">" | "<") VALUE
//
// Whitespace separates tokens. `in`/`notin` are keywords only where an operator is expected,
// so `in in (in)` is a valid selector. Error texts are upstream's, so kubectl users see the
// messages they know.

import { LabelSelector, LabelSelectorError, labelKeyError, newLabelRequirement, type LabelRequirement, type SelectorOperator } from './selector.ts';

type Token =
  | 'error'
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

const KEYWORDS: ReadonlyMap<string, Token> = new Map<string, Token>([
  [')', 'closedPar'],
  [',', 'comma'],
  ['!', 'doesNotExist'],
  ['==', 'doubleEquals'],
  ['=', 'equals'],
  ['>', 'greaterThan'],
  ['in', 'in'],
  ['<', 'lessThan'],
  ['!=', 'notEquals'],
  ['notin', 'notIn'],
  ['(', 'openPar'],
]);

interface Scanned {
  tok: Token;
  lit: string;
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);

/** Splits the input into tokens, the last one always `end`. */
function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos])) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    if (isSpecial(s[pos])) {
      // Longest run of symbols that still forms a token: `!=` and `==` win over `!` and `=`.
      let buf = '';
      let last: Scanned | undefined;
      while (pos < s.length && isSpecial(s[pos])) {
        const next = buf + s[pos];
        const tok = KEYWORDS.get(next);
        if (tok) {
          last = { tok, lit: next };
          buf = next;
          pos++;
        } else if (last) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !isSpecial(s[pos]) && !isWhitespace(s[pos])) buf += s[pos++];
      out.push({ tok: KEYWORDS.get(buf) ?? 'identifier', lit: buf });
    }
  }
}

/** Where values are expected, `in` and `notin` are plain identifiers. */
type Context = 'keyAndOperator' | 'values';

class Parser {
  readonly items: Scanned[];
  position = 0;

  constructor(input: string) {
    this.items = lex(input);
  }

  lookahead(ctx: Context): Scanned {
    return this.retoken(this.items[this.position], ctx);
  }

  consume(ctx: Context): Scanned {
    return this.retoken(this.items[this.position++], ctx);
  }

  retoken(item: Scanned, ctx: Context): Scanned {
    if (ctx === 'values' && (item.tok === 'in' || item.tok === 'notIn')) return { tok: 'identifier', lit: item.lit };
    return item;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'identifier' || tok === 'doesNotExist') {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          throw new LabelSelectorError(`unable to parse requirement: ${(e as Error).message}`);
        }
        requirements.push(r);
        const next = this.consume('values');
        if (next.tok === 'end') return requirements;
        if (next.tok !== 'comma') throw new LabelSelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
        const after = this.lookahead('values');
        if (after.tok !== 'identifier' && after.tok !== 'doesNotExist') {
          throw new LabelSelectorError(`found '${after.lit}', expected: identifier after ','`);
        }
      } else if (tok === 'end') {
        return requirements;
      } else {
        throw new LabelSelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newLabelRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newLabelRequirement(key, op, [...values].sort());
  }

  /** A key, with `!` before it meaning DoesNotExist; a bare key (then `,` or end) means Exists. */
  parseKeyAndInferOperator(): { key: string; operator: SelectorOperator | undefined } {
    let operator: SelectorOperator | undefined;
    let item = this.consume('values');
    if (item.tok === 'doesNotExist') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== 'identifier') throw new Error(`found '${item.lit}', expected: identifier`);
    // Upstream checks the key against a nil field path, which prints as `<nil>`.
    const keyErr = labelKeyError(item.lit, '<nil>');
    if (keyErr) throw new Error(keyErr);
    const next = this.lookahead('values').tok;
    if ((next === 'end' || next === 'comma') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  parseOperator(): SelectorOperator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
        return 'in';
      case 'notIn':
        return 'notin';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'notEquals':
        return '!=';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      default:
        throw new Error(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  /** `(a,b,c)`; empty entries (`(a,,b)`, `()`) are the empty value. */
  parseValues(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== 'openPar') throw new Error(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'identifier' || tok === 'comma') {
      const s = this.parseIdentifiersList();
      if (this.consume('values').tok !== 'closedPar') throw new Error(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === 'closedPar') {
      this.consume('values');
      return new Set(['']);
    }
    throw new Error(`found '${lit}', expected: ',', ')' or identifier`);
  }

  parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'identifier') {
        s.add(lit);
        const next = this.lookahead('values');
        if (next.tok === 'comma') continue;
        if (next.tok === 'closedPar') return s;
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === 'comma') {
        if (s.size === 0) s.add(''); // "(,"
        const next = this.lookahead('values').tok;
        if (next === 'closedPar') {
          s.add(''); // ",)"
          return s;
        }
        if (next === 'comma') s.add(''); // ",,"
      } else {
        throw new Error(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  /** The single value after `=`, `==`, `!=`, `>`, `<`; nothing there means the empty value. */
  parseExactValue(): Set<string> {
    const next = this.lookahead('values').tok;
    if (next === 'end' || next === 'comma') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'identifier') return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

/**
 * Parses a label selector string (upstream labels.Parse). The empty string selects everything.
 * Throws LabelSelectorError with upstream's message on bad syntax or invalid keys/values.
 */
export function parseSelector(selector: string): LabelSelector {
  return LabelSelector.of(new Parser(selector).parse());
}
