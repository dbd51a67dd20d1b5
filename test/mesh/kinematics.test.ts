import { describe, expect, it } from 'vitest';
import {
  COCO_FROM_SMPL, FACE_OFFSETS, HEAD_JOINT, JOINT_LIMITS, MEAN_REST_JOINTS, NUM_BETAS, NUM_JOINTS, POSE_LOWER,
  POSE_UPPER, RELAXED_POSE, SMPL_JOINT_NAMES, SMPL_PARENTS, clampPose, posedJoints, restJoints, rodrigues,
} from '../../src/mesh/kinematics.ts';

const EPS = 1e-9;
const zeros = (n: number) => new Float64Array(n);
const at = (a: ArrayLike<number>, j: number): number[] => [a[j * 3], a[j * 3 + 1], a[j * 3 + 2]];
const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Deterministic pseudo-random numbers in [-1, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

describe('SMPL tree', () => {
  it('has 24 named joints whose parents come first', () => {
    expect(SMPL_JOINT_NAMES).toHaveLength(24);
    expect(SMPL_PARENTS).toEqual([-1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 12, 13, 14, 16, 17, 18, 19, 20, 21]);
    SMPL_PARENTS.forEach((p, k) => expect(p).toBeLessThan(k));
    expect(NUM_BETAS).toBeGreaterThanOrEqual(10);
  });
  it('puts left joints at +x and the head above the pelvis', () => {
    SMPL_JOINT_NAMES.forEach((n, j) => {
      if (n.startsWith('left')) expect(MEAN_REST_JOINTS[j * 3]).toBeGreaterThan(0);
      if (n.startsWith('right')) expect(MEAN_REST_JOINTS[j * 3]).toBeLessThan(0);
    });
    expect(MEAN_REST_JOINTS[HEAD_JOINT * 3 + 1]).toBeGreaterThan(0.5);
    expect(at(MEAN_REST_JOINTS, 0)).toEqual([0, 0, 0]);
  });
});

describe('restJoints', () => {
  const cases: Array<[string, number, (b: Float64Array, z: Float64Array) => void]> = [
    ['stature grows the body', 0, (b, z) => expect(b[HEAD_JOINT * 3 + 1] - b[7 * 3 + 1]).toBeGreaterThan(z[HEAD_JOINT * 3 + 1] - z[7 * 3 + 1])],
    ['leg length lowers the ankles', 1, (b, z) => expect(b[7 * 3 + 1]).toBeLessThan(z[7 * 3 + 1])],
    ['arm length moves the wrists out', 2, (b, z) => expect(b[20 * 3]).toBeGreaterThan(z[20 * 3])],
    ['shoulder width widens the shoulders', 3, (b, z) => expect(b[16 * 3] - b[17 * 3]).toBeGreaterThan(z[16 * 3] - z[17 * 3])],
    ['hip width widens the hips', 4, (b, z) => expect(b[1 * 3] - b[2 * 3]).toBeGreaterThan(z[1 * 3] - z[2 * 3])],
    ['torso length raises the neck', 5, (b, z) => expect(b[12 * 3 + 1]).toBeGreaterThan(z[12 * 3 + 1])],
  ];
  it.each(cases)('%s', (_name, k, check) => {
    const betas = zeros(NUM_BETAS);
    betas[k] = 2;
    check(restJoints(betas), restJoints(zeros(NUM_BETAS)));
  });
  it('is linear in the betas and keeps the pelvis at the origin', () => {
    const r = rng(3);
    const a = Float64Array.from({ length: NUM_BETAS }, r);
    const b = Float64Array.from({ length: NUM_BETAS }, r);
    const ab = a.map((v, i) => v + b[i]);
    const ja = restJoints(a), jb = restJoints(b), jab = restJoints(ab), j0 = restJoints(zeros(NUM_BETAS));
    for (let i = 0; i < NUM_JOINTS * 3; i++) expect(jab[i] - j0[i]).toBeCloseTo(ja[i] - j0[i] + jb[i] - j0[i], 12);
    expect(at(ja, 0)).toEqual([0, 0, 0]);
  });
});

describe('rodrigues', () => {
  it('gives orthonormal matrices with det 1 and the identity at 0', () => {
    const r = rng(7);
    for (let n = 0; n < 20; n++) {
      const R = rodrigues(r() * 3, r() * 3, r() * 3, zeros(9));
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
        const dot = R[i * 3] * R[j * 3] + R[i * 3 + 1] * R[j * 3 + 1] + R[i * 3 + 2] * R[j * 3 + 2];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
      const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
      expect(det).toBeCloseTo(1, 12);
    }
    expect(Array.from(rodrigues(0, 0, 0, zeros(9)))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
  it('rotates y to z by +90 degrees about x', () => {
    const R = rodrigues(Math.PI / 2, 0, 0, zeros(9));
    // R * (0,1,0) = column 1
    expect(R[1]).toBeCloseTo(0, 12);
    expect(R[4]).toBeCloseTo(0, 12);
    expect(R[7]).toBeCloseTo(1, 12);
  });
});

describe('posedJoints', () => {
  it('returns the rest joints plus translation at zero pose', () => {
    const betas = Float64Array.from({ length: NUM_BETAS }, rng(11));
    const t: [number, number, number] = [0.3, -0.2, 4];
    const { smpl, rotations } = posedJoints({ betas, pose: zeros(72), translation: t });
    const rest = restJoints(betas);
    for (let i = 0; i < 72; i++) expect(smpl[i]).toBeCloseTo(rest[i] + t[i % 3], 12);
    for (let j = 0; j < 24; j++) expect(rotations[j * 9]).toBeCloseTo(1, 12);
  });
  it('bends the left elbow 90 degrees forward exactly', () => {
    const pose = zeros(72);
    pose[18 * 3 + 1] = -Math.PI / 2;
    const { smpl } = posedJoints({ betas: zeros(NUM_BETAS), pose, translation: [0, 0, 0] });
    const e = at(smpl, 18);
    const w = at(smpl, 20);
    const d = [0, 1, 2].map((a) => MEAN_REST_JOINTS[20 * 3 + a] - MEAN_REST_JOINTS[18 * 3 + a]);
    // R_y(-90deg) (x, y, z) = (-z, y, x): the forearm points forward (+z)
    expect(w[0] - e[0]).toBeCloseTo(-d[2], 12);
    expect(w[1] - e[1]).toBeCloseTo(d[1], 12);
    expect(w[2] - e[2]).toBeCloseTo(d[0], 12);
    expect(d[0]).toBeGreaterThan(0.2);
  });
  it('keeps every bone length under random poses', () => {
    const r = rng(5);
    const betas = Float64Array.from({ length: NUM_BETAS }, r);
    const rest = restJoints(betas);
    for (let n = 0; n < 10; n++) {
      const pose = Float64Array.from({ length: 72 }, () => r() * 1.5);
      const { smpl } = posedJoints({ betas, pose, translation: [1, 2, 3] });
      for (let k = 1; k < 24; k++) {
        const p = SMPL_PARENTS[k];
        expect(dist(at(smpl, k), at(smpl, p))).toBeCloseTo(dist(at(rest, k), at(rest, p)), 10);
      }
    }
  });
  it('maps COCO-17 to SMPL joints and the face to head offsets', () => {
    const r = rng(9);
    const pose = Float64Array.from({ length: 72 }, () => r() * 0.5);
    const { smpl, coco, rotations } = posedJoints({ betas: zeros(NUM_BETAS), pose, translation: [0, 0, 2] });
    COCO_FROM_SMPL.forEach((j, i) => {
      if (j >= 0) expect(at(coco, i)).toEqual(at(smpl, j));
    });
    // face points keep their distance from the head joint; the nose is in front of the ears
    FACE_OFFSETS.forEach((o, i) => expect(dist(at(coco, i), at(smpl, HEAD_JOINT))).toBeCloseTo(Math.hypot(...o), 12));
    const fwd = [rotations[HEAD_JOINT * 9 + 2], rotations[HEAD_JOINT * 9 + 5], rotations[HEAD_JOINT * 9 + 8]];
    const d = (i: number) => at(coco, i).reduce((s, v, a) => s + v * fwd[a], 0);
    expect(d(0)).toBeGreaterThan(d(3));
    expect(d(0)).toBeGreaterThan(d(4));
  });
  it('is fast enough to call thousands of times (smoke, no timing assertion)', () => {
    const r = rng(1);
    const betas = Float64Array.from({ length: NUM_BETAS }, r);
    let acc = 0;
    for (let n = 0; n < 2000; n++) {
      const pose = Float64Array.from({ length: 72 }, () => r() * 0.3);
      acc += posedJoints({ betas, pose, translation: [0, 0, 3] }).coco[0];
    }
    expect(Number.isFinite(acc)).toBe(true);
  });
});

describe('JOINT_LIMITS', () => {
  it('has ordered bounds for 24 joints, mirrored left/right', () => {
    expect(JOINT_LIMITS).toHaveLength(24);
    for (let i = 0; i < 72; i++) expect(POSE_LOWER[i]).toBeLessThanOrEqual(POSE_UPPER[i]);
    for (const [l, r] of [[1, 2], [16, 17], [18, 19], [20, 21]]) {
      expect(POSE_LOWER[l * 3 + 1]).toBeCloseTo(-POSE_UPPER[r * 3 + 1], 12);
      expect(POSE_LOWER[l * 3 + 2]).toBeCloseTo(-POSE_UPPER[r * 3 + 2], 12);
    }
  });
  it('lets knees and elbows bend only one way', () => {
    expect(POSE_LOWER[4 * 3]).toBe(0);
    expect(POSE_UPPER[18 * 3 + 1]).toBe(0);
    expect(POSE_LOWER[19 * 3 + 1]).toBe(0);
  });
  it('contains the relaxed pose, and clampPose enforces the bounds', () => {
    for (let i = 0; i < 72; i++) {
      expect(RELAXED_POSE[i]).toBeGreaterThanOrEqual(POSE_LOWER[i] - EPS);
      expect(RELAXED_POSE[i]).toBeLessThanOrEqual(POSE_UPPER[i] + EPS);
    }
    const p = Float64Array.from({ length: 72 }, (_, i) => (i % 2 ? 10 : -10));
    clampPose(p);
    for (let i = 3; i < 72; i++) expect(p[i] === POSE_LOWER[i] || p[i] === POSE_UPPER[i]).toBe(true);
  });
});
