import { notBuilt } from './not-built.ts';

export const demoCommand = notBuilt('demo', 'Run generate + fit on the bundled sample scene');
