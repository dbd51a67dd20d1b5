/** Public API of src/mesh. */
export * from './kinematics.ts';
