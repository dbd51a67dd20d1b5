import { notBuilt } from './not-built.ts';

export const h2hCommand = notBuilt('h2h', 'Human-to-human mode: generate a person interacting with an existing person');
