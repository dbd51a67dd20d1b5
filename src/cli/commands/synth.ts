import { notBuilt } from './not-built.ts';

export const synthCommand = notBuilt('synth', 'Write a synthetic training data set');
