/** Public API of src/edit. */
export {};
