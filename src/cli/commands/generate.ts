import { notBuilt } from './not-built.ts';

export const generateCommand = notBuilt('generate', 'Generate object-interactive skeletons for a person placed in a box');
