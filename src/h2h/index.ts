/** Public API of src/h2h. */
export {};
