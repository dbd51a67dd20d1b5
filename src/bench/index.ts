/** All benchmark cases, in table order. */
import type { BenchCase } from './types.ts';
import { skeletonBench } from './skeleton.ts';
import { meshBench } from './mesh.ts';
import { dataBench } from './data.ts';
import { viewerBench } from './viewer.ts';

export const BENCH_CASES: readonly BenchCase[] = [...skeletonBench, ...meshBench, ...dataBench, ...viewerBench];
export * from './types.ts';
