import { notBuilt } from './not-built.ts';

export const serveCommand = notBuilt('serve', 'Serve the JSON API and the three.js viewer');
