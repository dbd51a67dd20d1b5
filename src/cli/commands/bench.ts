import { notBuilt } from './not-built.ts';

export const benchCommand = notBuilt('bench', 'Benchmark speed and accuracy');
