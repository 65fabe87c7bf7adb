// Resource quantities (`500m`, `128Mi`, `1e3`) as apimachinery's resource.Quantity reads and
// prints them. Values are held exactly as a count of nano-units (BigInt), which is the finest
// precision Kubernetes keeps: anything finer is rounded up, as upstream does.
//
// Contract:
// - `parseQuantity` returns the value in base units (cores, bytes) as a JS number: exact for
//   everything a cluster really uses, approximate only beyond 2^53 nano-units of precision.
// - `quantityToMilli` rounds up like Quantity.MilliValue (the scheduler's unit for CPU).
// - `canonicalQuantity` gives the text the apiserver echoes back (`0.5` -> `500m`, `1024Mi` -> `1Gi`).
// - Bad input throws a QuantityError whose message is upstream's decode error.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The message upstream's decoder gives for text that is not a quantity at all. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** The message for a number followed by a suffix that is not one of the known ones. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

export interface ParsedQuantity {
  /** The value times 10^9, rounded up (away from zero) to a whole nano-unit. */
  nanos: bigint;
  /** How the value prints back, chosen from the suffix it was written with. */
  format: QuantityFormat;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const NUMBER_RE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;
const NANO = 10n ** 9n;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides rounding away from zero, as upstream rounds sub-nano values up. */
function divRoundUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : a < 0n ? q - 1n : q + 1n;
}

/** Parses a quantity exactly. Numbers (JSON `cpu: 1`) are accepted as upstream's decoder does. */
export function parseQuantityExact(input: string | number): ParsedQuantity {
  const s = typeof input === 'number' ? numberText(input) : String(input).trim();
  if (s.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const m = NUMBER_RE.exec(s);
  if (!m) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign, whole = '', frac = '', suffix = ''] = m;
  if (whole.length === 0 && frac.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new QuantityError(QUANTITY_FORMAT_ERROR);

  let exp10 = 0;
  let exp2 = 0;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    exp10 = DECIMAL_SUFFIXES[suffix]!;
    format = 'DecimalSI';
  } else if (suffix in BINARY_SUFFIXES) {
    exp2 = BINARY_SUFFIXES[suffix]!;
    format = 'BinarySI';
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    exp10 = Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  }

  // value = digits * 10^(exp10 - frac.length) * 2^exp2, kept as nano-units.
  const digits = BigInt((whole || '0') + frac) * (2n ** BigInt(exp2));
  const scale = exp10 - frac.length + 9;
  let nanos = scale >= 0 ? digits * pow10(scale) : divRoundUp(digits, pow10(-scale));
  if (sign === '-') nanos = -nanos;
  return { nanos, format };
}

/** The value in base units (cores, bytes). */
export function parseQuantity(input: string | number): number {
  return nanosToNumber(parseQuantityExact(input).nanos);
}

/** The value in thousandths of a unit, rounded up (Quantity.MilliValue). */
export function quantityToMilli(input: string | number): number {
  return Number(divRoundUp(parseQuantityExact(input).nanos, 10n ** 6n));
}

/** True when the text parses as a quantity. */
export function isQuantity(input: unknown): boolean {
  if (typeof input !== 'string' && typeof input !== 'number') return false;
  try {
    parseQuantityExact(input);
    return true;
  } catch {
    return false;
  }
}

/** -1, 0 or 1 as a compares with b, exactly. */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = parseQuantityExact(a).nanos;
  const y = parseQuantityExact(b).nanos;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The canonical text of a quantity, as the apiserver serializes it. */
export function canonicalQuantity(input: string | number): string {
  const q = parseQuantityExact(input);
  return formatNanos(q.nanos, q.format);
}

/**
 * Prints a value given in base units. DecimalSI picks the largest SI suffix that keeps an
 * integer mantissa (1500 -> `1500`, 2000 -> `2k`, 0.25 -> `250m`); BinarySI does the same with
 * Ki..Ei for whole values of at least 1024 and falls back to DecimalSI otherwise.
 */
export function formatQuantity(value: number, format: QuantityFormat = 'DecimalSI'): string {
  return formatNanos(parseQuantityExact(numberText(value)).nanos, format);
}

function formatNanos(nanos: bigint, format: QuantityFormat): string {
  if (nanos === 0n) return '0';
  const neg = nanos < 0n;
  const abs = neg ? -nanos : nanos;
  const sign = neg ? '-' : '';
  if (format === 'BinarySI' && abs % NANO === 0n && abs / NANO >= 1024n) {
    const units = abs / NANO;
    const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
    for (let k = suffixes.length - 1; k >= 0; k--) {
      const base = 1n << BigInt(10 * k);
      if (units % base === 0n) return `${sign}${units / base}${suffixes[k]}`;
    }
  }
  // Decimal: the largest exponent (multiple of 3, from 10^18 down to 10^-9) with an integer mantissa.
  for (let exp = 18; exp >= -9; exp -= 3) {
    const base = pow10(exp + 9);
    if (abs % base === 0n) {
      const mantissa = abs / base;
      if (format === 'DecimalExponent') return `${sign}${mantissa}${exp === 0 ? '' : `e${exp}`}`;
      const suffix = Object.keys(DECIMAL_SUFFIXES).find((k) => DECIMAL_SUFFIXES[k] === exp)!;
      return `${sign}${mantissa}${suffix}`;
    }
  }
  return `${sign}${abs}n`; // unreachable: every nano count divides by 10^0
}

function nanosToNumber(nanos: bigint): number {
  const whole = nanos / NANO;
  const rest = nanos % NANO;
  return Number(whole) + Number(rest) / 1e9;
}

/** A JS number as quantity text without exponent surprises (1e21 and 1e-7 stay parseable). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return String(n).replace(/e\+?/, 'e');
}
