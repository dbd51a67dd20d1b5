import { notBuilt } from './not-built.ts';

export const trainCommand = notBuilt('train', 'Train the object-interactive diffuser');
