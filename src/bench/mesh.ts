/** Benchmark cases of src/mesh (see src/bench/types.ts). */
import type { BenchCase } from './types.ts';

export const meshBench: BenchCase[] = [];
