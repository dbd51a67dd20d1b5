/** Benchmark cases of src/data (see src/bench/types.ts). */
import type { BenchCase } from './types.ts';

export const dataBench: BenchCase[] = [];
