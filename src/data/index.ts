/** Public API of src/data. */
export {};
