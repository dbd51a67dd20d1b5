/** Benchmark cases of src/skeleton (see src/bench/types.ts). */
import type { BenchCase } from './types.ts';

export const skeletonBench: BenchCase[] = [];
