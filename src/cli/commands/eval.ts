import { notBuilt } from './not-built.ts';

export const evalCommand = notBuilt('eval', 'Evaluate a model or a baseline (top-N, SPD)');
