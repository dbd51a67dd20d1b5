import { describe, expect, it } from 'vitest';
import { HOI_TEMPLATES } from '../../src/data/hoi-templates.ts';
import { H2H_TEMPLATES } from '../../src/data/h2h-templates.ts';
import { MAX_CONTACT_ERROR, renderInteraction } from '../../src/data/scene.ts';
import { LAYER, type Raster } from '../../src/data/raster.ts';
import type { Camera } from '../../src/data/camera.ts';
import { Rng } from '../../src/data/rng.ts';

describe('keypoint visibility of the erased person', () => {
  it('v = 0 exactly when the joint projects outside the image; v = 1 exactly when a drawn thing lies in front', () => {
    const counts = [0, 0, 0];
    for (const t of [...HOI_TEMPLATES, ...H2H_TEMPLATES]) {
      for (const seed of [1, 2, 3, 4]) {
        const rng = new Rng(seed * 101 + 5);
        const inter = t.build(rng);
        if (inter.ikError > MAX_CONTACT_ERROR) continue;
        const keep: { raster?: Raster; camera?: Camera } = {};
        const s = renderInteraction(inter, rng, { index: 0, width: 128, height: 96 }, keep);
        if (!s) continue;
        const r = keep.raster!, cam = keep.camera!;
        const p = s.people[0];
        p.keypoints.forEach(([x, y, v], j) => {
          counts[v]++;
          const [X, Y, Z] = p.joints3d[j];
          const u = cam.cx + (cam.focal * X) / Z, w = cam.cy + (cam.focal * Y) / Z;
          const inside = Z > 0.05 && u >= 0 && w >= 0 && u < 128 && w < 96;
          expect(v === 0, `joint ${j}: v ${v}, projected (${u}, ${w})`).toBe(!inside);
          if (v === 0) { expect([x, y]).toEqual([0, 0]); return; }
          // joints3d are rounded to millimetres, keypoints to 0.01 px
          expect(Math.abs(x - u)).toBeLessThan(0.1);
          expect(Math.abs(y - w)).toBeLessThan(0.1);
          const i = Math.floor(y) * 128 + Math.floor(x);
          const drawn = r.layer[i] !== LAYER.background;
          const what = `joint ${j}: v ${v}, layer ${r.layer[i]}, depth ${r.depth[i]} vs ${Z}`;
          if (v === 1) expect(drawn && r.depth[i] < Z - 0.02 + 0.002, what).toBe(true);
          else expect(drawn && r.depth[i] < Z - 0.02 - 0.002, what).toBe(false);
        });
      }
    }
    // the generated sets do contain all three cases
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[2]).toBeGreaterThan(counts[1]);
  });
});
