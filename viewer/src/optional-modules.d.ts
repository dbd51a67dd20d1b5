/** `optional:<path>` imports (see src/server/viewer-bundle.ts): the module, or `{ __missing: true }` when absent. */
declare module 'optional:*' {
  export const __missing: boolean | undefined;
}
