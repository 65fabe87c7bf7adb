// Label selectors, as k8s.io/apimachinery/pkg/labels: a selector is the AND of requirements,
// each a key, an operator and a set of values. Selectors are immutable values.

import { validateLabelKey, validateLabelValue } from './validation.ts';

/** Upstream's selection.Operator values. `!` is DoesNotExist, `gt`/`lt` compare integers. */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** In the order given (the parser gives them sorted and without duplicates). */
  readonly values: readonly string[];
}

/** A selector that cannot be parsed or built; callers answer 400 BadRequest with `message`. */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorError';
  }
}

/** Go's %q, close enough for the ASCII strings selectors hold. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** `<path>: Invalid value: <value>: <detail>`, as field.Invalid(...).Error() prints it. */
export function invalidFieldMessage(path: string, value: string | readonly string[], detail: string): string {
  const shown = typeof value === 'string' ? goQuote(value) : `[]string{${value.map(goQuote).join(', ')}}`;
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several deduplicated inside brackets. */
function aggregate(msgs: string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

const INT64 = /^[+-]?[0-9]+$/;
function parseInt64(s: string): bigint | undefined {
  if (!INT64.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** `key` as a field path: `<nil>` when the parser checks it, as upstream prints a nil path. */
export function labelKeyError(key: string, path: string): string | undefined {
  const errs = validateLabelKey(key);
  return errs.length ? invalidFieldMessage(path, key, errs.join('; ')) : undefined;
}

/**
 * Builds a validated requirement (upstream NewRequirement). Throws LabelSelectorError with
 * every problem found: a bad key, a wrong number of values for the operator, bad values.
 * The empty string is a valid value.
 */
export function newLabelRequirement(key: string, operator: SelectorOperator, values: readonly string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErr = labelKeyError(key, 'key');
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidFieldMessage('values', values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidFieldMessage('values', values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidFieldMessage('values', values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidFieldMessage('values', values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidFieldMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${goQuote(operator)}: supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
      );
  }
  values.forEach((v, i) => {
    const valueErrs = validateLabelValue(v);
    if (valueErrs.length) errs.push(invalidFieldMessage(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  if (errs.length) throw new LabelSelectorError(aggregate(errs));
  return { key, operator, values: [...values] };
}

/** Does one requirement hold for these labels? (upstream Requirement.Matches) */
export function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const have = parseInt64(value!);
      const want = parseInt64(r.values[0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

/** `key in (a,b)`, `!key`, `key!=v`...; several values are printed sorted (upstream String). */
export function requirementToString(r: LabelRequirement): string {
  const values = r.values.length > 1 ? [...r.values].sort().join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * An immutable label selector: the AND of its requirements, kept sorted by key.
 * Two special selectors exist: everything (no requirement, matches all, `empty()` is true)
 * and nothing (matches no object; what a null metav1.LabelSelector means).
 */
export class LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly #nothing: boolean;

  private constructor(requirements: readonly LabelRequirement[], nothing: boolean) {
    this.requirements = Object.freeze([...requirements].sort(byKey));
    this.#nothing = nothing;
  }

  static readonly #everything = new LabelSelector([], false);
  static readonly #nothingSelector = new LabelSelector([], true);

  /** Selects every object (what an empty metav1.LabelSelector `{}` means). */
  static everything(): LabelSelector {
    return LabelSelector.#everything;
  }

  /** Selects no object (what a null metav1.LabelSelector means). */
  static nothing(): LabelSelector {
    return LabelSelector.#nothingSelector;
  }

  /** A selector of already validated requirements (see newLabelRequirement). */
  static of(requirements: readonly LabelRequirement[]): LabelSelector {
    return requirements.length === 0 ? LabelSelector.#everything : new LabelSelector(requirements, false);
  }

  /** True when every requirement holds; absent labels count as an empty set. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean {
    if (this.#nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything (it selects every object). */
  empty(): boolean {
    return !this.#nothing && this.requirements.length === 0;
  }

  /** True only for the selector that selects nothing. */
  matchesNothing(): boolean {
    return this.#nothing;
  }

  /** A new selector with these requirements added. */
  add(...requirements: LabelRequirement[]): LabelSelector {
    if (this.#nothing) return this;
    return LabelSelector.of([...this.requirements, ...requirements]);
  }

  /** The value a requirement pins `key` to (`=`, `==`, or `in` with one value), if any. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (!r) return undefined;
    return (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1 ? r.values[0] : undefined;
  }

  /** The canonical string form, requirements joined by `,` (parses back to an equal selector). */
  toString(): string {
    return this.requirements.map(requirementToString).join(',');
  }
}

/**
 * The selector matching exactly these labels (upstream SelectorFromSet). Does NOT validate:
 * use it for labels already stored on objects. An empty or absent set selects everything.
 */
export function selectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  if (!set) return LabelSelector.everything();
  return LabelSelector.of(Object.entries(set).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}

/** `selector.toString()`, as upstream's Selector.String(); also what Scale's status.selector holds. */
export function selectorToString(selector: LabelSelector): string {
  return selector.toString();
}
