/** A benchmark case of `pinplace bench`: it measures one number (a SPEC key). */
export interface BenchCase {
  /** SPEC key, e.g. `fit_one_ms`. */
  key: string;
  /** What it measures, for the table. */
  label: string;
  /** Unit shown in the table (`ms`, `%`, `samples/s`). */
  unit: string;
  /** Target from the issues, shown beside the value (e.g. '<= 50'). */
  target?: string;
  /** Measure; resolves to the value, or null when it cannot run here (the reason goes in `note`). */
  run(ctx: BenchContext): Promise<{ value: number | null; note?: string; extra?: Record<string, number> }>;
}

export interface BenchContext {
  /** Repetitions for medians (after one warm-up). */
  reps: number;
  log(line: string): void;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Time `fn` `reps` times after one warm-up; returns the median in milliseconds. */
export async function timeMedian(fn: () => unknown | Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}
