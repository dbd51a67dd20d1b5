/** Public API of src/server. */
export {};
