import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { backplate, openCvToGl, photoProjection, projectGl, verticalFov, type PhotoCamera } from '../../viewer/src/photo-camera.ts';

const EPS = 1e-6;
const cams: Array<[string, PhotoCamera]> = [
  ['centred 640x480', { focal: 800, cx: 320, cy: 240, width: 640, height: 480 }],
  ['off-centre principal point', { focal: 1000, cx: 300, cy: 260, width: 640, height: 480 }],
  ['portrait', { focal: 500, cx: 240, cy: 320, width: 480, height: 640 }],
];
const points: number[][] = [[0, 0, 3], [0.4, -0.7, 2.5], [-1, 0.9, 5], [0.05, 0.3, 1.2]];

/** The OpenCV pinhole: pixel of a camera-frame point. */
const pinhole = (c: PhotoCamera, p: number[]): [number, number] => [(c.focal * p[0]) / p[2] + c.cx, (c.focal * p[1]) / p[2] + c.cy];

describe('photoProjection', () => {
  it.each(cams)('puts OpenCV points on their pixels through three.js (%s)', (_name, cam) => {
    const m = new THREE.Matrix4().set(...(photoProjection(cam, 0.05, 100) as Parameters<THREE.Matrix4['set']>));
    for (const p of points) {
      const v = new THREE.Vector3(...openCvToGl(p)).applyMatrix4(m);
      const u = ((v.x + 1) / 2) * cam.width;
      const w = ((1 - v.y) / 2) * cam.height;
      const [eu, ev] = pinhole(cam, p);
      expect(Math.abs(u - eu)).toBeLessThan(EPS * 1000);
      expect(Math.abs(w - ev)).toBeLessThan(EPS * 1000);
      expect(v.z).toBeGreaterThan(-1);
      expect(v.z).toBeLessThan(1);
      const [pu, pv] = projectGl(cam, openCvToGl(p));
      expect(Math.abs(pu - eu)).toBeLessThan(EPS);
      expect(Math.abs(pv - ev)).toBeLessThan(EPS);
    }
  });

  it.each(cams)('sizes the backplate to fill the view exactly (%s)', (_name, cam) => {
    const d = 4;
    const plate = backplate(cam, d);
    const [cx, cy, cz] = plate.center;
    const corners = [[cx - plate.width / 2, cy + plate.height / 2, cz], [cx + plate.width / 2, cy - plate.height / 2, cz]];
    const [tl, br] = corners.map((c) => projectGl(cam, c));
    expect(tl[0]).toBeCloseTo(0, 6);
    expect(tl[1]).toBeCloseTo(0, 6);
    expect(br[0]).toBeCloseTo(cam.width, 6);
    expect(br[1]).toBeCloseTo(cam.height, 6);
  });

  it('gives the vertical field of view', () => {
    expect(verticalFov({ focal: 240, cx: 0, cy: 0, width: 640, height: 480 })).toBeCloseTo(90, 9);
  });
});
