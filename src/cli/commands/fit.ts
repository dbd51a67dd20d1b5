import { notBuilt } from './not-built.ts';

export const fitCommand = notBuilt('fit', 'Fit the SMPL-style 3D body to a skeleton');
