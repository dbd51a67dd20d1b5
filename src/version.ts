/** The package version (Node: read from package.json once). */
import { createRequire } from 'node:module';

export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
