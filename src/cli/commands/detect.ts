import { notBuilt } from './not-built.ts';

export const detectCommand = notBuilt('detect', 'Detect people and objects in an image');
