import { notBuilt } from './not-built.ts';

export const metricsCommand = notBuilt('metrics', 'Score external predictions (top-N, SPD)');
