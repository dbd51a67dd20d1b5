import { afterEach, describe, expect, it } from 'vitest';
import { viewerBench } from '../../src/bench/viewer.ts';

describe('viewer_frame_ms bench', () => {
  const saved = process.env.PINPLACE_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) delete process.env.PINPLACE_CHROMIUM;
    else process.env.PINPLACE_CHROMIUM = saved;
  });

  it('is keyed by the SPEC name', () => {
    expect(viewerBench.map((c) => c.key)).toEqual(['viewer_frame_ms']);
  });

  it('gives null with a note when there is no Chromium', async () => {
    process.env.PINPLACE_CHROMIUM = '/nonexistent/chromium';
    const r = await viewerBench[0].run({ reps: 1, log: () => {} });
    expect(r.value).toBeNull();
    expect(r.note).toMatch(/no Chromium at \/nonexistent\/chromium/);
  });
});
