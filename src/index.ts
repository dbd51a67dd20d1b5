/**
 * The library API of person-in-place: everything the CLI does, as typed functions.
 */
export * from './errors.ts';
export { initBackend, type BackendInfo, type BackendName } from './backend.ts';
export * from './skeleton/topology.ts';
export * from './skeleton/calculators/box.ts';
export * from './skeleton/calculators/crop.ts';
export * from './data/formats.ts';
export * from './skeleton/index.ts';
export * from './mesh/index.ts';
export * from './data/index.ts';
export * from './edit/index.ts';
export * from './h2h/index.ts';
export * from './server/index.ts';
