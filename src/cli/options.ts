/** Flag parsing helpers: each turns a raw string into a checked value or throws a one-line UsageError. */
import { UsageError } from '../errors.ts';
import { MAX_SEED } from '../skeleton/constants.ts';

export function requireOption<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === null || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

/** A sampling or training seed: an integer in [0, MAX_SEED]. */
export function parseSeed(value: unknown, flag = '--seed'): number {
  return parseIntFlag(value, flag, 0, MAX_SEED);
}

/** An integer in [min, max]. */
export function parseIntFlag(value: unknown, flag: string, min = -Infinity, max = Infinity): number {
  const s = String(value).trim();
  const n = /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Infinity ? (min === -Infinity ? 'an integer' : `an integer >= ${min}`) : `an integer in [${min}, ${max}]`;
    throw new UsageError(`${flag} must be ${range}, got "${value}"`);
  }
  return n;
}

/** A finite number in [min, max]. */
export function parseNumberFlag(value: unknown, flag: string, min = -Infinity, max = Infinity): number {
  const s = String(value).trim();
  const n = s === '' ? NaN : Number(s);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range = max === Infinity ? (min === -Infinity ? 'a finite number' : `a number >= ${min}`) : `a number in [${min}, ${max}]`;
    throw new UsageError(`${flag} must be ${range}, got "${value}"`);
  }
  return n;
}

/** "W,H" -> [W, H] positive integers. */
export function parseSizeFlag(value: unknown, flag: string, max = 8192): [number, number] {
  const parts = String(value).split(',');
  if (parts.length !== 2) throw new UsageError(`${flag} must be W,H (two positive integers), got "${value}"`);
  return [parseIntFlag(parts[0], flag, 1, max), parseIntFlag(parts[1], flag, 1, max)];
}

/** One of `allowed`. */
export function parseChoiceFlag<T extends string>(value: unknown, flag: string, allowed: readonly T[]): T {
  const s = String(value);
  if (!(allowed as readonly string[]).includes(s)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${s}"`);
  return s as T;
}

/** Collect a repeatable flag into an array (commander option argParser). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
