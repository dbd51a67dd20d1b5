/**
 * Linear blend skinning in tfjs ops, written once: the page of maths of the body model. Runs on any tfjs backend
 * (wasm/cpu in Node, WebGL/WebGPU in a browser, tfjs-node-gpu where installed). Batched over N bodies.
 *
 * lbs(): 1. shape blend  v_shaped = v_template + shapedirs . betas
 *        2. joints       J = J_regressor . v_shaped
 *        3. pose blend   v_posed = v_shaped + posedirs . vec(R_k - I), k = 1..23 (only when the model has posedirs)
 *        4. rigid transforms along the kinematic tree: G_k = G_parent(k) [R_k | J_k - J_parent(k)]
 *        5. skinning     v = sum_k w_vk A_k [v_posed; 1], A_k = G_k with the rest joint removed
 * Units: metres; frames as in types.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../tensor/matmul.ts';

/** Joints grouped by depth in the tree (every parent sits in the previous group). */
export interface TreeLevels {
  /** Joint indices of each level. */
  joints: number[][];
  /** Index of each joint's parent inside the previous level. */
  parentSlot: number[][];
  /** Position of joint j in the concatenation of all levels. */
  order: number[];
}

/** Group the joints of `parents` by depth; `keep` (optional) drops joints not needed (their children too). */
export function treeLevels(parents: ArrayLike<number>, keep?: (j: number) => boolean): TreeLevels {
  const n = parents.length;
  const depth = new Array<number>(n).fill(0);
  for (let j = 0; j < n; j++) depth[j] = parents[j] < 0 ? 0 : depth[parents[j]] + 1;
  const joints: number[][] = [];
  for (let j = 0; j < n; j++) {
    if (keep && !keep(j)) continue;
    (joints[depth[j]] ??= []).push(j);
  }
  const parentSlot = joints.map((lv, d) => lv.map((j) => (d === 0 ? -1 : joints[d - 1].indexOf(parents[j]))));
  const flat = joints.flat();
  const order = new Array<number>(n).fill(-1);
  flat.forEach((j, i) => { order[j] = i; });
  return { joints, parentSlot, order };
}

/**
 * Step 1: v_shaped = v_template + shapedirs . betas.
 * @param betas [N,B] @param vTemplate [V,3] @param shapedirs [V*3,B] -> [N,V,3]
 */
export function blendShapes(betas: tf.Tensor2D, vTemplate: tf.Tensor2D, shapedirs: tf.Tensor2D): tf.Tensor3D {
  const [N] = betas.shape;
  const V = vTemplate.shape[0];
  // [N,B] x [B,V*3] -> [N,V*3]
  const offsets = matMul(betas, tf.transpose(shapedirs));
  return tf.add(tf.reshape(offsets, [N, V, 3]), vTemplate) as tf.Tensor3D;
}

/**
 * Step 2: J = J_regressor . v.
 * @param regressor [J,V] @param v [N,V,3] -> [N,J,3]
 */
export function regressJoints(regressor: tf.Tensor2D, v: tf.Tensor3D): tf.Tensor3D {
  const [N, V] = v.shape;
  const J = regressor.shape[0];
  // [J,V] x [V, N*3] -> [J, N*3] -> [N,J,3]
  const flat = tf.reshape(tf.transpose(v, [1, 0, 2]), [V, N * 3]);
  return tf.transpose(tf.reshape(matMul(regressor, flat), [J, N, 3]), [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Rows `idx` of x [N,J,K] -> [N,len(idx),K], as a product with a one-hot matrix (differentiable on every backend;
 * the gradient of tf.gather needs a kernel the wasm backend lacks).
 */
export function selectRows(x: tf.Tensor3D, idx: number[]): tf.Tensor3D {
  const [N, J, K] = x.shape;
  // cheap cases first: all rows, a contiguous range, one row repeated
  if (idx.length === J && idx.every((j, r) => j === r)) return x;
  if (idx.every((j, r) => j === idx[0] + r)) return tf.slice(x, [0, idx[0], 0], [N, idx.length, K]);
  if (idx.every((j) => j === idx[0])) return tf.tile(tf.slice(x, [0, idx[0], 0], [N, 1, K]), [1, idx.length, 1]);
  const key = `${J}:${idx.join(',')}`;
  let sel = _selectors.get(key);
  if (!sel || sel.isDisposed) {
    const oneHot = new Float32Array(idx.length * J);
    idx.forEach((j, r) => { oneHot[r * J + j] = 1; });
    sel = tf.keep(tf.tensor3d(oneHot, [1, idx.length, J]));
    _selectors.set(key, sel);
  }
  return matMul(sel, x) as tf.Tensor3D;
}
const _selectors = new Map<string, tf.Tensor3D>();

/** Constant mapping a unit axis k [3] to the flattened skew matrix [k]x [9]. */
let _skewBasis: tf.Tensor2D | null = null;
function skewBasis(): tf.Tensor2D {
  // [k]x = [[0,-kz,ky],[kz,0,-kx],[-ky,kx,0]]
  return (_skewBasis ??= tf.keep(tf.tensor2d([
    [0, 0, 0, 0, 0, -1, 0, 1, 0],
    [0, 0, 1, 0, 0, 0, -1, 0, 0],
    [0, -1, 0, 1, 0, 0, 0, 0, 0],
  ])));
}

/**
 * Rodrigues: axis-angle [N,J,3] -> rotation matrices [N,J,3,3].
 * R = I + sin(t) K + (1 - cos(t)) K^2, t = |aa + 1e-8|, K = [aa / t]x.
 */
export function rodrigues(aa: tf.Tensor3D): tf.Tensor4D {
  const [N, J] = aa.shape;
  const theta = tf.sqrt(tf.add(tf.sum(tf.square(aa), -1, true), 1e-8)); // [N,J,1]
  const axis = tf.div(aa, theta); // [N,J,3]
  const K = tf.reshape(tf.matMul(tf.reshape(axis, [N * J, 3]), skewBasis()), [N * J, 3, 3]);
  const K2 = tf.matMul(K, K);
  const s = tf.reshape(tf.sin(theta), [N * J, 1, 1]);
  const c = tf.reshape(tf.sub(1, tf.cos(theta)), [N * J, 1, 1]);
  const R = tf.add(tf.add(tf.eye(3).reshape([1, 3, 3]), tf.mul(s, K)), tf.mul(c, K2));
  return tf.reshape(R, [N, J, 3, 3]) as tf.Tensor4D;
}

/**
 * Step 4: rigid transforms along the tree, one level at a time (few ops: the depth, not the joint count).
 * @param R [N,J,3,3] local rotations @param joints [N,J,3] rest joints
 * @returns global rotations [N,J,3,3] and posed joint positions [N,J,3], joints in `levels` order
 *   (gather with `levels.order` for the model's order).
 */
export function rigidTransforms(R: tf.Tensor4D, joints: tf.Tensor3D, parents: ArrayLike<number>, levels: TreeLevels): { Rg: tf.Tensor4D; P: tf.Tensor3D } {
  const [N, J] = R.shape;
  // rel_k = J_k - J_parent(k) (the root keeps its own position): [N,J,3]
  const parentOf = Array.from(parents, (p, j) => (p < 0 ? j : p));
  const isChild = tf.tensor3d(Array.from(parents, (p) => (p < 0 ? 0 : 1)), [1, J, 1]);
  const rel = tf.sub(joints, tf.mul(selectRows(joints, parentOf), isChild));
  // local 4x4 transforms T_k = [R_k | rel_k; 0 0 0 1], flattened: [N,J,16]
  const bottom = tf.tile(tf.tensor4d([0, 0, 0, 1], [1, 1, 1, 4]), [N, J, 1, 1]);
  const T = tf.reshape(tf.concat([tf.concat([R, tf.reshape(rel, [N, J, 3, 1])], 3), bottom], 2), [N, J, 16]) as tf.Tensor3D;
  // G_k = G_parent(k) T_k, one level of the tree at a time
  const Gs: tf.Tensor[] = [];
  let prev: tf.Tensor3D | null = null;
  levels.joints.forEach((lv, d) => {
    const n = lv.length;
    const Tl = selectRows(T, lv);
    let G: tf.Tensor3D;
    if (d === 0) G = Tl;
    else {
      const Gp = tf.reshape(selectRows(prev!, levels.parentSlot[d]), [N * n, 4, 4]);
      G = tf.reshape(tf.matMul(Gp, tf.reshape(Tl, [N * n, 4, 4])), [N, n, 16]) as tf.Tensor3D;
    }
    Gs.push(G);
    prev = G;
  });
  const nAll = levels.joints.reduce((a, lv) => a + lv.length, 0);
  const G = tf.reshape(tf.concat(Gs, 1), [N, nAll, 4, 4]);
  // global rotation = upper-left 3x3, posed joint = last column
  const Rg = tf.slice(G, [0, 0, 0, 0], [N, nAll, 3, 3]) as tf.Tensor4D;
  const P = tf.reshape(tf.slice(G, [0, 0, 0, 3], [N, nAll, 3, 1]), [N, nAll, 3]) as tf.Tensor3D;
  return { Rg, P };
}

/** The arrays of an SMPL-layout model as tensors (see body-model.ts). */
export interface LbsModelTensors {
  vTemplate: tf.Tensor2D; // [V,3]
  shapedirs: tf.Tensor2D; // [V*3,B]
  posedirs: tf.Tensor2D | null; // [(J-1)*9, V*3]
  jRegressor: tf.Tensor2D; // [J,V]
  weights: tf.Tensor2D; // [V,J]
  parents: number[];
}

/**
 * The full forward pass. @param betas [N,B] @param pose [N,J*3] axis-angle @param trans [N,3]
 * @returns vertices [N,V,3] and joints [N,J,3] (posed, plus translation).
 */
export function lbs(betas: tf.Tensor2D, pose: tf.Tensor2D, trans: tf.Tensor2D, m: LbsModelTensors): { vertices: tf.Tensor3D; joints: tf.Tensor3D } {
  return tf.tidy(() => {
    const N = betas.shape[0];
    const J = m.parents.length;
    const V = m.vTemplate.shape[0];
    // 1. shape blend shapes
    const vShaped = blendShapes(betas, m.vTemplate, m.shapedirs);
    // 2. rest joints from the shaped mesh
    const joints = regressJoints(m.jRegressor, vShaped);
    // 3. rotations and pose blend shapes
    const R = rodrigues(tf.reshape(pose, [N, J, 3]) as tf.Tensor3D);
    let vPosed: tf.Tensor3D = vShaped;
    if (m.posedirs) {
      // pose_feature = vec(R_k - I), k = 1..J-1: [N,(J-1)*9]
      const feat = tf.reshape(tf.sub(tf.slice(R, [0, 1, 0, 0], [N, J - 1, 3, 3]), tf.eye(3)), [N, (J - 1) * 9]);
      vPosed = tf.add(vShaped, tf.reshape(matMul(feat, m.posedirs), [N, V, 3])) as tf.Tensor3D;
    }
    // 4. rigid transforms; A_k = [R_k | P_k - R_k J_k]
    const levels = treeLevels(m.parents);
    const { Rg: RgL, P: PL } = rigidTransforms(R, joints, m.parents, levels);
    const Rg = tf.reshape(selectRows(tf.reshape(RgL, [N, J, 9]) as tf.Tensor3D, levels.order), [N, J, 3, 3]); // [N,J,3,3]
    const P = selectRows(PL, levels.order); // [N,J,3]
    const RJ = tf.reshape(tf.matMul(tf.reshape(Rg, [N * J, 3, 3]), tf.reshape(joints, [N * J, 3, 1])), [N, J, 3]);
    const A = tf.concat([Rg, tf.reshape(tf.sub(P, RJ), [N, J, 3, 1])], 3); // [N,J,3,4]
    // 5. skinning: T_v = sum_k w_vk A_k: [V,J] x [J, N*12] -> [V, N*12]
    const Aflat = tf.reshape(tf.transpose(tf.reshape(A, [N, J, 12]), [1, 0, 2]), [J, N * 12]);
    const T = tf.transpose(tf.reshape(matMul(m.weights, Aflat), [V, N, 3, 4]), [1, 0, 2, 3]); // [N,V,3,4]
    const vHomo = tf.concat([vPosed, tf.ones([N, V, 1])], 2).reshape([N, V, 4, 1]);
    const verts = tf.reshape(matMul(T, vHomo), [N, V, 3]);
    const t = tf.reshape(trans, [N, 1, 3]);
    return { vertices: tf.add(verts, t) as tf.Tensor3D, joints: tf.add(P, t) as tf.Tensor3D };
  });
}
