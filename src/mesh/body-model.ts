/**
 * A body model in SMPL's array layout, and the code path that reads one: the project's own model
 * (assets/body-model/pinplace-body.npz, built by scripts/build-body-model.ts) or, the same way, an SMPL-format
 * .npz a user holds (keys v_template [V,3], shapedirs [V,3,B], J_regressor [24,V], weights [V,24],
 * kintree_table [2,24], f [F,3], optional posedirs [V,3,207]). Extension keys of the project's file:
 * coco_face_regressor [5,V] (nose, eyes, ears from head vertices) and coco_joint_map [17].
 */
import * as tf from '@tensorflow/tfjs';
import { FormatError } from '../errors.ts';
import type { JointModel } from './joint-model.ts';
import { COCO_FROM_SMPL, FACE_OFFSETS, NUM_JOINTS } from './kinematics.ts';
import type { LbsModelTensors } from './lbs.ts';
import { decodeNpz, encodeNpz, type NpyArray } from './npz.ts';

/** The arrays of a body model (row-major; shapes in comments). */
export interface BodyModelData {
  name: string;
  vTemplate: Float64Array; // [V,3]
  shapedirs: Float64Array; // [V,3,B]
  jRegressor: Float64Array; // [24,V]
  weights: Float64Array; // [V,24]
  parents: Int32Array; // [24]
  faces: Uint32Array; // [F,3]
  posedirs: Float64Array | null; // [V,3,P]
  cocoFaceRegressor: Float64Array | null; // [5,V]
  cocoJointMap: Int32Array; // [17]
  numVertices: number;
  numBetas: number;
}

/** A loaded body model: its arrays plus derived views (joints-only model, tensors). */
export class BodyModel implements BodyModelData {
  name!: string;
  vTemplate!: Float64Array;
  shapedirs!: Float64Array;
  jRegressor!: Float64Array;
  weights!: Float64Array;
  parents!: Int32Array;
  faces!: Uint32Array;
  posedirs!: Float64Array | null;
  cocoFaceRegressor!: Float64Array | null;
  cocoJointMap!: Int32Array;
  numVertices!: number;
  numBetas!: number;
  private _joint: JointModel | null = null;

  constructor(d: BodyModelData) {
    Object.assign(this, d);
  }

  /** Shaped rest vertices [V*3] for `betas` (v_template + shapedirs . betas). */
  shapedVertices(betas: ArrayLike<number>): Float64Array {
    const V = this.numVertices, B = this.numBetas;
    const out = new Float64Array(V * 3);
    const nb = Math.min(B, betas.length);
    for (let i = 0; i < V * 3; i++) {
      let s = this.vTemplate[i];
      for (let k = 0; k < nb; k++) s += this.shapedirs[i * B + k] * betas[k];
      out[i] = s;
    }
    return out;
  }

  /** Rest joints [24*3] for `betas` (J_regressor . shaped vertices). */
  restJoints(betas: ArrayLike<number>): Float64Array {
    return this.regress(this.jRegressor, NUM_JOINTS, this.shapedVertices(betas));
  }

  private regress(R: Float64Array, rows: number, v: Float64Array): Float64Array {
    const V = this.numVertices;
    const out = new Float64Array(rows * 3);
    for (let r = 0; r < rows; r++) {
      let x = 0, y = 0, z = 0;
      for (let i = 0; i < V; i++) {
        const w = R[r * V + i];
        if (w === 0) continue;
        x += w * v[i * 3];
        y += w * v[i * 3 + 1];
        z += w * v[i * 3 + 2];
      }
      out[r * 3] = x;
      out[r * 3 + 1] = y;
      out[r * 3 + 2] = z;
    }
    return out;
  }

  /**
   * The joints-only fast path (joints linear in the betas, regressed once). Face points come from the face
   * regressor, or, for a model without one, from the head joint plus the project's face offsets.
   */
  jointModel(): JointModel {
    if (this._joint) return this._joint;
    const B = this.numBetas, V = this.numVertices;
    const zero = new Float64Array(B);
    const J0 = this.restJoints(zero);
    const SJ = new Float64Array(NUM_JOINTS * 3 * B);
    const F0 = new Float64Array(15);
    const SF = new Float64Array(15 * B);
    const head = 15;
    const faceOf = (v: Float64Array, joints: Float64Array) => {
      if (this.cocoFaceRegressor) return this.regress(this.cocoFaceRegressor, 5, v);
      const out = new Float64Array(15);
      for (let i = 0; i < 5; i++) for (let a = 0; a < 3; a++) out[i * 3 + a] = joints[head * 3 + a] + FACE_OFFSETS[i][a];
      return out;
    };
    F0.set(faceOf(this.vTemplate, J0));
    const dir = new Float64Array(V * 3);
    for (let k = 0; k < B; k++) {
      for (let i = 0; i < V * 3; i++) dir[i] = this.shapedirs[i * B + k];
      const dj = this.regress(this.jRegressor, NUM_JOINTS, dir);
      for (let i = 0; i < NUM_JOINTS * 3; i++) SJ[i * B + k] = dj[i];
      // face directions: linear in the vertices (regressor) or riding on the head joint
      const df = this.cocoFaceRegressor ? this.regress(this.cocoFaceRegressor, 5, dir) : Float64Array.from({ length: 15 }, (_, i) => dj[head * 3 + (i % 3)]);
      for (let i = 0; i < 15; i++) SF[i * B + k] = df[i];
    }
    this._joint = {
      numBetas: B, parents: Int32Array.from(this.parents), J0, SJ, F0, SF, cocoFromSmpl: Int32Array.from(this.cocoJointMap),
      headJoint: head,
    };
    return this._joint;
  }

  private _lbs: LbsModelTensors | null = null;

  /** The arrays as tensors for lbs(), made once and kept (free them with `dispose()`). */
  lbsTensors(): LbsModelTensors {
    if (this._lbs && !this._lbs.vTemplate.isDisposed) return this._lbs;
    const t = this.makeLbsTensors();
    for (const x of [t.vTemplate, t.shapedirs, t.jRegressor, t.weights, t.posedirs]) if (x) tf.keep(x);
    this._lbs = t;
    return t;
  }

  /** Free the kept tensors. */
  dispose(): void {
    if (!this._lbs) return;
    const t = this._lbs;
    tf.dispose([t.vTemplate, t.shapedirs, t.jRegressor, t.weights, ...(t.posedirs ? [t.posedirs] : [])]);
    this._lbs = null;
  }

  private makeLbsTensors(): LbsModelTensors {
    const V = this.numVertices, B = this.numBetas;
    const P = this.posedirs ? this.posedirs.length / (V * 3) : 0;
    let posedirs: tf.Tensor2D | null = null;
    if (this.posedirs) {
      // [V,3,P] -> [P, V*3]
      const t = new Float32Array(P * V * 3);
      for (let i = 0; i < V * 3; i++) for (let p = 0; p < P; p++) t[p * V * 3 + i] = this.posedirs[i * P + p];
      posedirs = tf.tensor2d(t, [P, V * 3]);
    }
    return {
      vTemplate: tf.tensor2d(Float32Array.from(this.vTemplate), [V, 3]),
      shapedirs: tf.tensor2d(Float32Array.from(this.shapedirs), [V * 3, B]),
      posedirs,
      jRegressor: tf.tensor2d(Float32Array.from(this.jRegressor), [NUM_JOINTS, V]),
      weights: tf.tensor2d(Float32Array.from(this.weights), [V, NUM_JOINTS]),
      parents: Array.from(this.parents),
    };
  }

  /** Top-4 skinning influences per vertex: joints [V*4] and weights [V*4] (renormalised). */
  topInfluences(): { joints: Uint16Array; weights: Float32Array } {
    const V = this.numVertices;
    const joints = new Uint16Array(V * 4);
    const weights = new Float32Array(V * 4);
    for (let v = 0; v < V; v++) {
      const row = Array.from(this.weights.subarray(v * NUM_JOINTS, (v + 1) * NUM_JOINTS), (w, j) => [w, j]);
      row.sort((a, b) => b[0] - a[0]);
      const top = row.slice(0, 4);
      const s = top.reduce((a, p) => a + Math.max(0, p[0]), 0) || 1;
      top.forEach(([w, j], i) => {
        joints[v * 4 + i] = j;
        weights[v * 4 + i] = Math.max(0, w) / s;
      });
    }
    return { joints, weights };
  }

  /** Encode as SMPL-layout .npz bytes (float32 arrays). */
  toNpz(): Uint8Array {
    const V = this.numVertices, B = this.numBetas;
    const f32 = (a: Float64Array, shape: number[]): NpyArray => ({ data: Float32Array.from(a), shape, dtype: '<f4' });
    const kintree = new Int32Array(2 * NUM_JOINTS);
    for (let j = 0; j < NUM_JOINTS; j++) {
      kintree[j] = this.parents[j];
      kintree[NUM_JOINTS + j] = j;
    }
    const arrays: Record<string, NpyArray> = {
      v_template: f32(this.vTemplate, [V, 3]),
      shapedirs: f32(this.shapedirs, [V, 3, B]),
      J_regressor: f32(this.jRegressor, [NUM_JOINTS, V]),
      weights: f32(this.weights, [V, NUM_JOINTS]),
      kintree_table: { data: kintree, shape: [2, NUM_JOINTS], dtype: '<i4' },
      f: { data: Uint32Array.from(this.faces), shape: [this.faces.length / 3, 3], dtype: '<u4' },
      coco_joint_map: { data: Int32Array.from(this.cocoJointMap), shape: [17], dtype: '<i4' },
      model_name: { data: new TextEncoder().encode(this.name), shape: [this.name.length], dtype: '|u1' },
    };
    if (this.cocoFaceRegressor) arrays.coco_face_regressor = f32(this.cocoFaceRegressor, [5, V]);
    if (this.posedirs) arrays.posedirs = f32(this.posedirs, [V, 3, this.posedirs.length / (V * 3)]);
    return encodeNpz(arrays);
  }
}

const toF64 = (a: NpyArray) => (a.data instanceof Float64Array ? a.data : Float64Array.from(a.data));

/** Check that `a` exists with `rank` dims and the given fixed sizes (null = any). */
function need(arrays: Record<string, NpyArray>, key: string, dims: Array<number | null>, source: string): NpyArray {
  const a = arrays[key];
  if (!a) throw new FormatError(`${source} has no "${key}" array (an SMPL-format model needs v_template, shapedirs, J_regressor, weights, kintree_table, f)`);
  const ok = a.shape.length === dims.length && dims.every((d, i) => d === null || a.shape[i] === d);
  if (!ok) throw new FormatError(`${source}: "${key}" has shape [${a.shape.join(', ')}], expected [${dims.map((d) => d ?? '*').join(', ')}]`);
  return a;
}

/** Build a BodyModel from SMPL-layout arrays (e.g. decoded from an .npz). */
export function bodyModelFromArrays(arrays: Record<string, NpyArray>, source = 'model file', name?: string): BodyModel {
  const vt = need(arrays, 'v_template', [null, 3], source);
  const V = vt.shape[0];
  const sd = need(arrays, 'shapedirs', [V, 3, null], source);
  const B = sd.shape[2];
  const jr = need(arrays, 'J_regressor', [NUM_JOINTS, V], source);
  const w = need(arrays, 'weights', [V, NUM_JOINTS], source);
  const kt = need(arrays, 'kintree_table', [2, NUM_JOINTS], source);
  const f = need(arrays, 'f', [null, 3], source);
  const parents = Int32Array.from(Array.from(kt.data).slice(0, NUM_JOINTS), (p) => (p < 0 || p >= NUM_JOINTS ? -1 : p));
  if (parents[0] !== -1 || parents.some((p, j) => j > 0 && (p < 0 || p >= j))) {
    throw new FormatError(`${source}: kintree_table parents must have the root first and parents before children, got [${Array.from(parents).join(', ')}]`);
  }
  const faces = Uint32Array.from(f.data as ArrayLike<number>);
  if (faces.some((i) => i >= V)) throw new FormatError(`${source}: "f" refers to vertex indices >= ${V}`);
  const pd = arrays.posedirs;
  const cfr = arrays.coco_face_regressor;
  const cjm = arrays.coco_joint_map;
  const nameArr = arrays.model_name;
  const arrays64 = [vt, sd, jr, w].map(toF64);
  if (arrays64.some((a) => a.some((x) => !Number.isFinite(x)))) throw new FormatError(`${source} holds non-finite numbers`);
  return new BodyModel({
    name: name ?? (nameArr ? new TextDecoder().decode(Uint8Array.from(nameArr.data as ArrayLike<number>)) : 'smpl-format model'),
    vTemplate: arrays64[0],
    shapedirs: arrays64[1],
    jRegressor: arrays64[2],
    weights: arrays64[3],
    parents,
    faces,
    posedirs: pd && pd.shape.length === 3 && pd.shape[0] === V && pd.shape[1] === 3 ? toF64(pd) : null,
    cocoFaceRegressor: cfr && cfr.shape[0] === 5 && cfr.shape[1] === V ? toF64(cfr) : null,
    cocoJointMap: cjm && cjm.shape[0] === 17 ? Int32Array.from(cjm.data as ArrayLike<number>) : Int32Array.from(COCO_FROM_SMPL),
    numVertices: V,
    numBetas: B,
  });
}

/** Read an SMPL-format .npz model from bytes. */
export async function loadBodyModel(bytes: Uint8Array, source = 'model file'): Promise<BodyModel> {
  return bodyModelFromArrays(await decodeNpz(bytes, source), source);
}
