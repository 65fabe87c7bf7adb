// intstr.IntOrString as controllers scale it: maxSurge / maxUnavailable are a number or "25%".

/**
 * The absolute value of `value` for a total of `total` (upstream GetScaledValueFromIntOrPercent):
 * a number is itself, "N%" is N% of total rounded up or down. Throws for any other string.
 */
export function scaledValueFromIntOrPercent(value: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const m = /^(-?[0-9]+)%$/.exec(value);
  if (!m) {
    if (/^-?[0-9]+$/.test(value)) return Number(value);
    throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or percentage (e.g '5%')`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
