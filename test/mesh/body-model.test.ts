import { describe, expect, it } from 'vitest';
import { BodyModel, bodyModelFromArrays, loadBodyModel } from '../../src/mesh/body-model.ts';
import { loadBodyModelFile } from '../../src/mesh/body-model-node.ts';
import { defaultJointModel } from '../../src/mesh/joint-model.ts';
import { FACE_OFFSETS, HEAD_JOINT, NUM_BETAS, restJoints } from '../../src/mesh/kinematics.ts';
import { decodeNpy, decodeNpz, encodeNpy, encodeNpz } from '../../src/mesh/npz.ts';
import { mulberry32 } from '../../src/mesh/synthetic.ts';
import { FormatError } from '../../src/errors.ts';

describe('npy / npz', () => {
  it('round-trips arrays of several dtypes', async () => {
    const bytes = encodeNpz({
      a: { data: Float32Array.from([1.5, -2, 3]), shape: [3], dtype: '<f4' },
      b: { data: Int32Array.from([-1, 0, 1, 2, 3, 4]), shape: [2, 3], dtype: '<i4' },
      c: { data: Float64Array.from([Math.PI]), shape: [1, 1], dtype: '<f8' },
    });
    const back = await decodeNpz(bytes);
    expect(Array.from(back.a.data)).toEqual([1.5, -2, 3]);
    expect(back.b.shape).toEqual([2, 3]);
    expect(Array.from(back.b.data)).toEqual([-1, 0, 1, 2, 3, 4]);
    expect(back.c.data[0]).toBe(Math.PI);
  });
  it('reads Fortran-order and int64 arrays (as numpy writes them)', () => {
    // column-major storage of [[1, 2, 3], [4, 5, 6]]
    const c = encodeNpy({ data: Float64Array.from([1, 4, 2, 5, 3, 6]), shape: [2, 3], dtype: '<f8' });
    const f = decodeNpy(patchHeader(c, "'fortran_order': False", "'fortran_order': True "));
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const i8 = patchHeader(encodeNpy({ data: new Float64Array(new BigInt64Array([-1n, 7n]).buffer), shape: [2], dtype: '<f8' }), "'<f8'", "'<i8'");
    expect(Array.from(decodeNpy(i8).data)).toEqual([-1, 7]);
  });
  it('rejects bytes that are not npz / npy', async () => {
    await expect(decodeNpz(new Uint8Array(100), 'x.npz')).rejects.toThrow(FormatError);
    expect(() => decodeNpy(new Uint8Array(20), 'x.npy')).toThrow(/bad magic/);
  });
});

/** Replace text of the same length inside an .npy header. */
function patchHeader(bytes: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const out = Uint8Array.from(bytes);
  const head = new TextDecoder('latin1').decode(out.subarray(0, 128));
  const at = head.indexOf(from);
  out.set(new TextEncoder().encode(to), at);
  return out;
}

describe('the shipped body model', () => {
  it('is SMPL-shaped: 24 joints, >= 10 betas, >= 5000 vertices, <= 4 bones a vertex, weights summing to 1', async () => {
    const m = await loadBodyModelFile();
    expect(m.numBetas).toBeGreaterThanOrEqual(10);
    expect(m.numVertices).toBeGreaterThanOrEqual(5000);
    expect(m.faces.length / 3).toBeGreaterThan(m.numVertices);
    for (let v = 0; v < m.numVertices; v++) {
      let s = 0, n = 0;
      for (let j = 0; j < 24; j++) {
        const w = m.weights[v * 24 + j];
        if (w !== 0) n++;
        s += w;
      }
      expect(n).toBeLessThanOrEqual(4);
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
  });
  it('regresses exactly the kinematics rest joints and face points for any shape', async () => {
    const m = await loadBodyModelFile();
    const r = mulberry32(2);
    for (let n = 0; n < 3; n++) {
      const betas = Array.from({ length: NUM_BETAS }, () => (r() - 0.5) * 4);
      const J = m.restJoints(betas);
      const ref = restJoints(betas);
      for (let i = 0; i < 72; i++) expect(Math.abs(J[i] - ref[i])).toBeLessThan(1e-4);
    }
    const jm = m.jointModel();
    const ref = defaultJointModel();
    for (let i = 0; i < 15; i++) expect(Math.abs(jm.F0[i] - ref.F0[i])).toBeLessThan(1e-4);
    for (let i = 0; i < jm.SF.length; i++) expect(Math.abs(jm.SF[i] - ref.SF[i])).toBeLessThan(1e-4);
    // the nose sits in front of the head joint
    expect(jm.F0[2] - jm.J0[HEAD_JOINT * 3 + 2]).toBeCloseTo(FACE_OFFSETS[0][2], 4);
  });
  it('has a mesh whose extent reads as a standing adult (about 1.7 m, arms spread)', async () => {
    const m = await loadBodyModelFile();
    let lo = Infinity, hi = -Infinity, xl = Infinity, xh = -Infinity;
    for (let v = 0; v < m.numVertices; v++) {
      lo = Math.min(lo, m.vTemplate[v * 3 + 1]);
      hi = Math.max(hi, m.vTemplate[v * 3 + 1]);
      xl = Math.min(xl, m.vTemplate[v * 3]);
      xh = Math.max(xh, m.vTemplate[v * 3]);
    }
    expect(hi - lo).toBeGreaterThan(1.6);
    expect(hi - lo).toBeLessThan(1.8);
    expect(xh - xl).toBeGreaterThan(1.6);
  });
});

describe('loader (SMPL-format .npz)', () => {
  it('round-trips a model the project writes itself', async () => {
    const m = await loadBodyModelFile();
    const back = await loadBodyModel(m.toNpz(), 'round-trip.npz');
    expect(back).toBeInstanceOf(BodyModel);
    expect(back.name).toBe(m.name);
    expect(back.numVertices).toBe(m.numVertices);
    expect(Array.from(back.parents)).toEqual(Array.from(m.parents));
    expect(Array.from(back.faces.subarray(0, 30))).toEqual(Array.from(m.faces.subarray(0, 30)));
    for (let i = 0; i < m.vTemplate.length; i += 97) expect(back.vTemplate[i]).toBeCloseTo(m.vTemplate[i], 6);
    const J = back.restJoints(new Array(10).fill(0.5));
    const J0 = m.restJoints(new Array(10).fill(0.5));
    for (let i = 0; i < 72; i++) expect(J[i]).toBeCloseTo(J0[i], 5);
  });
  it('reads a minimal SMPL-layout file without the project extensions (uint32 root parent)', () => {
    const V = 30;
    const r = mulberry32(8);
    const parents = [4294967295, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21];
    const jr = new Float32Array(24 * V);
    for (let j = 0; j < 24; j++) jr[j * V + j] = 1;
    const w = new Float32Array(V * 24);
    for (let v = 0; v < V; v++) w[v * 24 + (v % 24)] = 1;
    const m = bodyModelFromArrays({
      v_template: { data: Float32Array.from({ length: V * 3 }, r), shape: [V, 3], dtype: '<f4' },
      shapedirs: { data: new Float32Array(V * 3 * 10), shape: [V, 3, 10], dtype: '<f4' },
      J_regressor: { data: jr, shape: [24, V], dtype: '<f4' },
      weights: { data: w, shape: [V, 24], dtype: '<f4' },
      kintree_table: { data: Uint32Array.from([...parents, ...Array.from({ length: 24 }, (_, i) => i)]), shape: [2, 24], dtype: '<u4' },
      f: { data: Uint32Array.from([0, 1, 2]), shape: [1, 3], dtype: '<u4' },
    });
    expect(m.parents[0]).toBe(-1);
    expect(m.cocoFaceRegressor).toBeNull();
    const jm = m.jointModel();
    // without a face regressor the face points ride on the head joint with the project's offsets
    expect(jm.F0[0] - jm.J0[HEAD_JOINT * 3]).toBeCloseTo(FACE_OFFSETS[0][0], 6);
  });
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a missing array', { drop: 'weights' }, /no "weights" array/],
    ['a wrong shape', { weights: { data: new Float32Array(10), shape: [10], dtype: '<f4' } }, /"weights" has shape \[10\]/],
  ];
  it.each(bad)('rejects %s with one line', async (_n, change, re) => {
    const m = await loadBodyModelFile();
    const arrays = await decodeNpz(m.toNpz());
    if ('drop' in change) delete arrays[change.drop as string];
    else Object.assign(arrays, change);
    expect(() => bodyModelFromArrays(arrays, 'bad.npz')).toThrow(re);
  });
});
