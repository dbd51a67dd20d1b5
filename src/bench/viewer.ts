/** Benchmark cases of src/viewer (see src/bench/types.ts). */
import type { BenchCase } from './types.ts';

export const viewerBench: BenchCase[] = [];
