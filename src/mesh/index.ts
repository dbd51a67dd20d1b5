/** Public API of src/mesh. */
export {};
