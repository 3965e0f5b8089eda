import { InvalidArgumentError } from 'commander';

/** Commander argument parsers shared by the benchmark commands. */

export function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0) || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a positive number');
  return parsed;
}

export function nonNegativeNumber(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0) || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number ≥ 0');
  return parsed;
}

export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

/** A comma-separated list of positive integers ("1,10,64"). */
export function countList(value: string): number[] {
  return value.split(',').map((item) => positiveInteger(item.trim()));
}

/** A parser for a comma-separated list of names drawn from `allowed`. */
export function nameList<Name extends string>(allowed: readonly Name[]): (value: string) => Name[] {
  return (value) => {
    const names = value.split(',').map((name) => name.trim());
    const unknown = names.find((name) => !(allowed as readonly string[]).includes(name));
    if (unknown !== undefined) throw new InvalidArgumentError(`unknown model '${unknown}'; choose from ${allowed.join(', ')}`);
    return names as Name[];
  };
}
