/**
 * The body's rest-pose (T-pose, betas 0) surface as a signed distance field: tapered capsules and ellipsoids placed
 * on the joints of kinematics.ts, blended with a smooth minimum. Metres, body frame (pelvis at the origin, y up,
 * z forward, x to the body's left). Used only at build time (scripts/build-body-model.ts).
 */
import { MEAN_REST_JOINTS } from '../kinematics.ts';

type V3 = [number, number, number];

const J = (j: number): V3 => [MEAN_REST_JOINTS[j * 3], MEAN_REST_JOINTS[j * 3 + 1], MEAN_REST_JOINTS[j * 3 + 2]];
const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const lerp = (a: V3, b: V3, t: number): V3 => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** A primitive: signed distance (approximate) of a point. */
type Prim = (x: number, y: number, z: number) => number;

/** Tapered capsule from a (radius ra) to b (radius rb). */
function capsule(a: V3, b: V3, ra: number, rb: number): Prim {
  const bx = b[0] - a[0], by = b[1] - a[1], bz = b[2] - a[2];
  const l2 = bx * bx + by * by + bz * bz;
  return (x, y, z) => {
    const px = x - a[0], py = y - a[1], pz = z - a[2];
    const t = Math.min(1, Math.max(0, (px * bx + py * by + pz * bz) / l2));
    const dx = px - bx * t, dy = py - by * t, dz = pz - bz * t;
    return Math.sqrt(dx * dx + dy * dy + dz * dz) - (ra + (rb - ra) * t);
  };
}

/** Axis-aligned ellipsoid (approximate distance, exact zero set). */
function ellipsoid(c: V3, r: V3): Prim {
  const m = Math.min(r[0], r[1], r[2]);
  return (x, y, z) => {
    const qx = (x - c[0]) / r[0], qy = (y - c[1]) / r[1], qz = (z - c[2]) / r[2];
    return (Math.sqrt(qx * qx + qy * qy + qz * qz) - 1) * m;
  };
}

/** Polynomial smooth minimum with blend radius k. */
function smin(a: number, b: number, k: number): number {
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - (h * h * k) / 4;
}

/** Mirror a left-side primitive builder onto both sides (x -> -x for the right). */
function both(make: (s: number) => Prim): Prim[] {
  return [make(1), make(-1)];
}
const mx = (v: V3, s: number): V3 => [v[0] * s, v[1], v[2]];

/** Groups of primitives: each group is unioned sharply inside, groups are blended smoothly. */
function primitives(): Array<{ prims: Prim[]; k: number; inner?: number }> {
  const head = J(15);
  const neck = J(12);
  const torso: Prim[] = [
    ellipsoid(add(J(0), [0, -0.015, -0.005]), [0.158, 0.11, 0.108]), // pelvis
    ...both((s) => ellipsoid(mx(add(J(0), [0.068, -0.07, -0.045]), s), [0.082, 0.09, 0.078])), // buttocks
    ellipsoid(add(J(3), [0, 0.03, 0.012]), [0.125, 0.11, 0.095]), // abdomen
    ellipsoid(add(J(6), [0, 0.07, 0.005]), [0.158, 0.15, 0.108]), // chest
    ...both((s) => ellipsoid(mx(add(J(6), [0.06, 0.07, 0.055]), s), [0.07, 0.065, 0.05])), // pectorals
    capsule(add(J(14), [-0.07, -0.005, -0.025]), add(J(13), [0.07, -0.005, -0.025]), 0.062, 0.062), // shoulder girdle
    ...both((s) => ellipsoid(mx(add(J(9), [0.07, 0.01, -0.05]), s), [0.085, 0.13, 0.06])), // upper back
  ];
  const neckHead: Prim[] = [
    capsule(add(neck, [0, -0.03, 0]), add(head, [0, 0.03, 0.005]), 0.056, 0.05),
  ];
  const skull: Prim[] = [
    ellipsoid(add(head, [0, 0.09, 0.012]), [0.077, 0.108, 0.097]),
    ellipsoid(add(head, [0, 0.025, 0.045]), [0.056, 0.05, 0.058]), // jaw
  ];
  const face: Prim[] = [
    capsule(add(head, [0, 0.1, 0.088]), add(head, [0, 0.07, 0.1]), 0.011, 0.013), // nose
    ...both((s) => ellipsoid(mx(add(head, [0.075, 0.085, -0.005]), s), [0.014, 0.03, 0.02])), // ears
    ...both((s) => ellipsoid(mx(add(head, [0.033, 0.118, 0.078]), s), [0.03, 0.012, 0.02])), // brow ridge
  ];
  const arms: Prim[] = [];
  for (const [sh, el, wr] of [[16, 18, 20], [17, 19, 21]]) {
    const s = Math.sign(J(sh)[0]);
    arms.push(
      ellipsoid(add(J(sh), [0.02 * s, 0.005, 0]), [0.075, 0.065, 0.06]), // deltoid
      capsule(J(sh), J(el), 0.05, 0.038), // upper arm
      ellipsoid(lerp(J(sh), J(el), 0.45), [0.11, 0.045, 0.047]), // biceps
      capsule(J(el), J(wr), 0.038, 0.026), // forearm
      ellipsoid(lerp(J(el), J(wr), 0.3), [0.09, 0.04, 0.042]), // forearm muscle
    );
  }
  const hands: Prim[] = [];
  for (const [wr, ha] of [[20, 22], [21, 23]]) {
    const s = Math.sign(J(wr)[0]);
    hands.push(
      ellipsoid(add(lerp(J(wr), J(ha), 0.55), [0, -0.002, 0]), [0.05, 0.017, 0.043]), // palm
      ellipsoid(add(J(ha), [0.05 * s, -0.006, 0]), [0.058, 0.012, 0.038]), // fingers
      capsule(add(J(wr), [0.025 * s, -0.006, 0.03]), add(J(wr), [0.075 * s, -0.012, 0.062]), 0.012, 0.01), // thumb
    );
  }
  const legs: Prim[] = [];
  for (const [hp, kn, an] of [[1, 4, 7], [2, 5, 8]]) {
    legs.push(
      capsule(add(J(hp), [0, 0.02, 0]), J(kn), 0.082, 0.05), // thigh
      ellipsoid(add(lerp(J(hp), J(kn), 0.35), [0, 0, 0.012]), [0.075, 0.15, 0.078]), // quadriceps
      capsule(J(kn), J(an), 0.048, 0.032), // shank
      ellipsoid(add(lerp(J(kn), J(an), 0.3), [0, 0, -0.022]), [0.047, 0.11, 0.05]), // calf
    );
  }
  const feet: Prim[] = [];
  for (const [an, ft] of [[7, 10], [8, 11]]) {
    const heel = add(J(an), [0, -0.045, -0.045]);
    const toe = add(J(ft), [0, -0.008, 0.055]);
    feet.push(
      capsule(heel, add(J(ft), [0, 0.002, 0]), 0.034, 0.036), // foot body
      capsule(add(J(ft), [0, -0.004, 0]), toe, 0.03, 0.022), // toes
      ellipsoid(add(J(an), [0, -0.01, -0.005]), [0.04, 0.045, 0.045]), // ankle
    );
  }
  return [
    { prims: torso, k: 0.06, inner: 0.09 },
    { prims: neckHead, k: 0.04 },
    { prims: skull, k: 0.03 },
    { prims: face, k: 0.012 },
    { prims: arms, k: 0.04 },
    { prims: hands, k: 0.015 },
    { prims: legs, k: 0.05 },
    { prims: feet, k: 0.03 },
  ];
}

/** Signed distance of the rest body surface (negative inside). */
export function bodySdf(): (x: number, y: number, z: number) => number {
  const groups = primitives();
  return (x, y, z) => {
    let d = Infinity;
    for (const g of groups) {
      let gd = Infinity;
      for (let i = 0; i < g.prims.length; i++) gd = smin(gd === Infinity ? 1e9 : gd, g.prims[i](x, y, z), g.inner ?? g.k * 0.5);
      d = d === Infinity ? gd : smin(d, gd, g.k);
    }
    return d;
  };
}

/** Bounding box of the rest body [min, max] with a margin. */
export const BODY_BOUNDS: [V3, V3] = [[-0.96, -0.97, -0.2], [0.96, 0.84, 0.24]];
