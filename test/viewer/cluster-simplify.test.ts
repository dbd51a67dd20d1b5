import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { clusterSimplify, type SimpleMesh } from '../../viewer/src/cluster-simplify.ts';

/** A UV sphere of radius r (indexed, outward normals, one winding throughout). */
function sphere(r: number, rings: number, segments: number): SimpleMesh {
  const pos: number[] = [];
  const nor: number[] = [];
  for (let i = 0; i <= rings; i++) {
    const th = (Math.PI * i) / rings;
    for (let j = 0; j <= segments; j++) {
      const ph = (2 * Math.PI * j) / segments;
      const n = [Math.sin(th) * Math.cos(ph), Math.cos(th), Math.sin(th) * Math.sin(ph)];
      nor.push(...n);
      pos.push(...n.map((v) => v * r));
    }
  }
  const idx: number[] = [];
  const at = (i: number, j: number) => i * (segments + 1) + j;
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      idx.push(at(i, j), at(i, j + 1), at(i + 1, j), at(i + 1, j), at(i, j + 1), at(i + 1, j + 1));
    }
  }
  return { positions: Float32Array.from(pos), normals: Float32Array.from(nor), index: Uint32Array.from(idx) };
}

/** Outward-facing share of the non-degenerate triangles (face normal against the centre-to-face direction). */
function outward(m: SimpleMesh): number {
  let out = 0;
  const n = m.index.length / 3;
  for (let t = 0; t < m.index.length; t += 3) {
    const [a, b, c] = [m.index[t], m.index[t + 1], m.index[t + 2]].map((i) => [m.positions[i * 3], m.positions[i * 3 + 1], m.positions[i * 3 + 2]]);
    const u = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const v = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const f = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
    const centre = [0, 1, 2].map((k) => a[k] + b[k] + c[k]);
    if (f[0] * centre[0] + f[1] * centre[1] + f[2] * centre[2] < 0) out++;
  }
  return out / n;
}

describe('clusterSimplify', () => {
  const src = sphere(1, 48, 96);
  it('has a consistently wound test sphere', () => expect([0, 1]).toContain(outward(src)));
  const cases: Array<{ cell: number; minKeep: number; maxKeep: number }> = [
    { cell: 0.001, minKeep: 0.9, maxKeep: 1 },
    { cell: 0.1, minKeep: 0.1, maxKeep: 0.6 },
    { cell: 0.3, minKeep: 0.005, maxKeep: 0.15 },
  ];
  for (const c of cases) {
    it(`merges vertices per ${c.cell} m cube and keeps a closed, consistently wound surface`, () => {
      const s = clusterSimplify(src, c.cell);
      const keep = s.index.length / src.index.length;
      expect(keep).toBeGreaterThanOrEqual(c.minKeep);
      expect(keep).toBeLessThanOrEqual(c.maxKeep);
      const v = s.positions.length / 3;
      expect(Math.max(...s.index)).toBeLessThan(v);
      let degenerate = 0;
      for (let t = 0; t < s.index.length; t += 3) if (s.index[t] === s.index[t + 1] || s.index[t + 1] === s.index[t + 2] || s.index[t] === s.index[t + 2]) degenerate++;
      expect(degenerate).toBe(0);
      // Every vertex stays within a cell's diagonal of the sphere; normals are unit length.
      let worstR = 0;
      let worstN = 0;
      for (let i = 0; i < v; i++) {
        worstR = Math.max(worstR, Math.abs(Math.hypot(s.positions[i * 3], s.positions[i * 3 + 1], s.positions[i * 3 + 2]) - 1));
        worstN = Math.max(worstN, Math.abs(Math.hypot(s.normals![i * 3], s.normals![i * 3 + 1], s.normals![i * 3 + 2]) - 1));
      }
      expect(worstR).toBeLessThan(c.cell * Math.sqrt(3) + 1e-6);
      expect(worstN).toBeLessThan(1e-5);
      // The winding survives the merge: the triangles face the way the source's do.
      expect(Math.abs(outward(s) - outward(src))).toBeLessThan(0.05);
    });
  }

  it('keeps sharp corners where they are (quadric placement), where a plain mean would round them off', () => {
    // A finely divided unit box, off the grid of cells so that no corner sits on a cell boundary.
    const box = new THREE.BoxGeometry(1, 1, 1, 20, 20, 20);
    box.translate(0.013, 0.027, 0.041);
    const mesh: SimpleMesh = { positions: Float32Array.from(box.attributes.position.array), normals: Float32Array.from(box.attributes.normal.array), index: Uint32Array.from(box.index!.array) };
    const s = clusterSimplify(mesh, 0.1);
    const v = s.positions.length / 3;
    for (const cx of [-0.5, 0.5]) for (const cy of [-0.5, 0.5]) for (const cz of [-0.5, 0.5]) {
      const c = [cx + 0.013, cy + 0.027, cz + 0.041];
      let nearest = Infinity;
      for (let i = 0; i < v; i++) nearest = Math.min(nearest, Math.hypot(s.positions[i * 3] - c[0], s.positions[i * 3 + 1] - c[1], s.positions[i * 3 + 2] - c[2]));
      // The mean of the corner's cluster lies several centimetres inside.
      expect(nearest).toBeLessThan(0.005);
    }
  });

  it('drops repeated triangles and refuses a non-positive cell', () => {
    const twice: SimpleMesh = { positions: Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0]), normals: null, index: Uint32Array.from([0, 1, 2, 0, 3, 2, 1, 2, 0]) };
    const s = clusterSimplify(twice, 0.01);
    expect(s.positions.length / 3).toBe(3);
    expect(Array.from(s.index)).toEqual([0, 1, 2]);
    expect(s.normals).toBeNull();
    expect(() => clusterSimplify(twice, 0)).toThrow(/cell must be > 0/);
  });
});
