import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend.ts';
import { lbs, rodrigues, treeLevels } from '../../src/mesh/lbs.ts';
import { loadBodyModelFile } from '../../src/mesh/body-model-node.ts';
import { NUM_BETAS, posedJoints, rodrigues as rodriguesTs } from '../../src/mesh/kinematics.ts';
import { mulberry32 } from '../../src/mesh/synthetic.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('rodrigues (tfjs)', () => {
  it('matches the TypeScript Rodrigues', async () => {
    const r = mulberry32(1);
    const aa = Array.from({ length: 2 * 5 * 3 }, () => (r() - 0.5) * 4);
    const R = await rodrigues(tf.tensor3d(aa, [2, 5, 3])).data();
    for (let i = 0; i < 10; i++) {
      const ref = rodriguesTs(aa[i * 3], aa[i * 3 + 1], aa[i * 3 + 2], new Float64Array(9));
      for (let k = 0; k < 9; k++) expect(R[i * 9 + k]).toBeCloseTo(ref[k], 5);
    }
  });
});

describe('treeLevels', () => {
  it('groups joints by depth with parent slots in the previous level', () => {
    const lv = treeLevels([-1, 0, 0, 1, 3]);
    expect(lv.joints).toEqual([[0], [1, 2], [3], [4]]);
    expect(lv.parentSlot).toEqual([[-1], [0, 0], [0], [0]]);
    expect(lv.order).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('lbs', () => {
  /** Two joints (root at the origin, child at x = 1); vertex 0 on the root, vertex 1 at x = 2 on the child. */
  const tiny = () => ({
    vTemplate: tf.tensor2d([[0, 0, 0], [2, 0, 0], [1, 0, 0]]),
    shapedirs: tf.tensor2d([[0], [0], [0], [1], [0], [0], [0.5], [0], [0]]), // beta stretches along x
    posedirs: null,
    jRegressor: tf.tensor2d([[1, 0, 0], [0, 0, 1]]), // joint 1 = vertex 2
    weights: tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5]]),
    parents: [-1, 0],
  });
  const cases: Array<[string, number[], number, number[], number[][]]> = [
    ['rest pose', [0, 0, 0, 0, 0, 0], 0, [0, 0, 0], [[0, 0, 0], [2, 0, 0], [1, 0, 0]]],
    ['child +90 deg about z', [0, 0, 0, 0, 0, Math.PI / 2], 0, [0, 0, 0], [[0, 0, 0], [1, 1, 0], [1, 0, 0]]],
    ['root +90 deg about y plus translation', [0, Math.PI / 2, 0, 0, 0, 0], 0, [1, 2, 3], [[1, 2, 3], [1, 2, 1], [1, 2, 2]]],
    ['shape then pose', [0, 0, 0, 0, 0, Math.PI / 2], 2, [0, 0, 0], [[0, 0, 0], [2, 2, 0], [2, 0, 0]]],
  ];
  it.each(cases)('%s is exact', async (_n, pose, beta, t, expected) => {
    const m = tiny();
    const { vertices } = lbs(tf.tensor2d([[beta]]), tf.tensor2d([pose]), tf.tensor2d([t]), m);
    const v = await vertices.array();
    expected.forEach((e, i) => e.forEach((x, a) => expect(v[0][i][a]).toBeCloseTo(x, 5)));
  });

  it('agrees with kinematics.posedJoints on the shipped model (random shapes and poses, batched)', async () => {
    const model = await loadBodyModelFile();
    const t = model.lbsTensors();
    const r = mulberry32(4);
    const N = 3;
    const betas = Array.from({ length: N }, () => Array.from({ length: NUM_BETAS }, () => (r() - 0.5) * 3));
    const pose = Array.from({ length: N }, () => Array.from({ length: 72 }, () => (r() - 0.5) * 1.2));
    const trans = Array.from({ length: N }, () => [r(), r(), 3 + r()]);
    const { joints } = lbs(tf.tensor2d(betas), tf.tensor2d(pose), tf.tensor2d(trans), t);
    const J = await joints.array();
    for (let n = 0; n < N; n++) {
      const ref = posedJoints({ betas: betas[n], pose: pose[n], translation: trans[n] as [number, number, number] }).smpl;
      for (let j = 0; j < 24; j++) for (let a = 0; a < 3; a++) expect(Math.abs(J[n][j][a] - ref[j * 3 + a])).toBeLessThan(2e-4);
    }
  });
});
