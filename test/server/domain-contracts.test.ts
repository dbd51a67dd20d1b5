/** The real domain functions plug into the server's deps types (checked by tsc; the test makes sure they load). */
import { describe, expect, it } from 'vitest';
import { guidanceFiles } from '../../src/edit/guidance.ts';
import { detect } from '../../src/h2h/detect-node.ts';
import { h2h } from '../../src/h2h/h2h.ts';
import { edit } from '../../src/edit/edit.ts';
import { fit } from '../../src/mesh/fit.ts';
import type { DetectFn, EditFn, FitFn, GenerateFn, GuidanceFn, H2hFn } from '../../src/server/types.ts';
import { generate } from '../../src/skeleton/generate.ts';

describe('domain contracts', () => {
  it('generate, fit, guidanceFiles, h2h, detect and edit have the signatures the server calls', () => {
    const fns: [GenerateFn, FitFn, GuidanceFn, H2hFn, DetectFn, EditFn] = [generate, fit, guidanceFiles, h2h, (img) => detect(img), edit];
    for (const fn of fns) expect(typeof fn).toBe('function');
  });
});
