/** Public API of src/skeleton. */
export {};
