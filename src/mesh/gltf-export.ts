/**
 * Binary glTF 2.0 (GLB) writer for fitted bodies: each body is a skinned mesh (its shaped rest mesh, JOINTS_0 /
 * WEIGHTS_0 with up to 4 bones, inverse bind matrices) with its 24-joint skeleton posed by the fitted rotations, so
 * three.js (or Blender) can pose it further. All bodies hang under one node that turns the OpenCV camera frame
 * (x right, y down, z forward) into glTF's (x right, y up, z towards the viewer): a 180 degree turn about x.
 * Pure TypeScript, no DOM.
 */
import { SMPL_JOINT_NAMES } from './kinematics.ts';
import { axisAngleToQuaternion } from './rotation.ts';

/** One body to export. */
export interface GltfBody {
  name: string;
  /** Shaped rest vertices [V*3] (body frame, metres). */
  restVertices: Float64Array;
  /** Faces [F*3]. */
  faces: Uint32Array;
  /** Rest joints [24*3] for the same shape. */
  restJoints: Float64Array;
  parents: ArrayLike<number>;
  /** Top-4 influences per vertex: joint indices [V*4] and weights [V*4]. */
  joints: Uint16Array;
  weights: Float32Array;
  /** Pose [72] axis-angle (joint 0 = orientation in the camera frame). */
  pose: ArrayLike<number>;
  /** Translation [3] in the camera frame. */
  translation: ArrayLike<number>;
  /** Base colour RGBA 0-1. */
  color?: [number, number, number, number];
}

interface View { offset: number; length: number; target?: number }

/** Vertex normals [V*3] from faces (area weighted). */
export function vertexNormals(P: ArrayLike<number>, F: ArrayLike<number>): Float32Array {
  const N = new Float32Array(P.length);
  for (let f = 0; f < F.length; f += 3) {
    const a = F[f] * 3, b = F[f + 1] * 3, c = F[f + 2] * 3;
    const ux = P[b] - P[a], uy = P[b + 1] - P[a + 1], uz = P[b + 2] - P[a + 2];
    const vx = P[c] - P[a], vy = P[c + 1] - P[a + 1], vz = P[c + 2] - P[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const i of [a, b, c]) {
      N[i] += nx;
      N[i + 1] += ny;
      N[i + 2] += nz;
    }
  }
  for (let i = 0; i < N.length; i += 3) {
    const l = Math.hypot(N[i], N[i + 1], N[i + 2]) || 1;
    N[i] /= l;
    N[i + 1] /= l;
    N[i + 2] /= l;
  }
  return N;
}

/** Write bodies into GLB bytes. */
export function writeGlb(bodies: GltfBody[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let byteLength = 0;
  const views: View[] = [];
  const accessors: Record<string, unknown>[] = [];
  const addView = (bytes: Uint8Array, target?: number): number => {
    const pad = (4 - (byteLength % 4)) % 4;
    if (pad) {
      chunks.push(new Uint8Array(pad));
      byteLength += pad;
    }
    views.push({ offset: byteLength, length: bytes.length, ...(target ? { target } : {}) });
    chunks.push(bytes);
    byteLength += bytes.length;
    return views.length - 1;
  };
  const bytesOf = (a: Float32Array | Uint32Array | Uint16Array | Uint8Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const addAccessor = (a: Float32Array | Uint32Array | Uint16Array | Uint8Array, componentType: number, type: string, count: number, target?: number, minmax = false): number => {
    const view = addView(bytesOf(a), target);
    const acc: Record<string, unknown> = { bufferView: view, componentType, count, type };
    if (minmax) {
      const min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
      for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) {
        min[c] = Math.min(min[c], a[i * 3 + c]);
        max[c] = Math.max(max[c], a[i * 3 + c]);
      }
      acc.min = min;
      acc.max = max;
    }
    accessors.push(acc);
    return accessors.length - 1;
  };
  const FLOAT = 5126, UINT = 5125, USHORT = 5123, UBYTE = 5121, ARRAY = 34962, ELEMENTS = 34963;

  const nodes: Record<string, unknown>[] = [{ name: 'camera_to_gltf', rotation: [1, 0, 0, 0], children: [] as number[] }];
  const meshes: Record<string, unknown>[] = [];
  const skins: Record<string, unknown>[] = [];
  const materials: Record<string, unknown>[] = [];
  const sceneNodes = [0];
  bodies.forEach((b, bi) => {
    const V = b.restVertices.length / 3;
    const pos = addAccessor(Float32Array.from(b.restVertices), FLOAT, 'VEC3', V, ARRAY, true);
    const nrm = addAccessor(vertexNormals(b.restVertices, b.faces), FLOAT, 'VEC3', V, ARRAY);
    const jts = addAccessor(Uint8Array.from(b.joints), UBYTE, 'VEC4', V, ARRAY);
    const wts = addAccessor(Float32Array.from(b.weights), FLOAT, 'VEC4', V, ARRAY);
    const idx = addAccessor(Uint32Array.from(b.faces), UINT, 'SCALAR', b.faces.length, ELEMENTS);
    void USHORT;
    // joints: node per SMPL joint, local translation = rest offset from the parent, rotation = local pose
    const first = nodes.length;
    const J = b.restJoints;
    for (let j = 0; j < 24; j++) {
      const p = b.parents[j];
      const t = p < 0
        ? [J[0] + b.translation[0], J[1] + b.translation[1], J[2] + b.translation[2]]
        : [J[j * 3] - J[p * 3], J[j * 3 + 1] - J[p * 3 + 1], J[j * 3 + 2] - J[p * 3 + 2]];
      nodes.push({
        name: `${b.name}_${SMPL_JOINT_NAMES[j]}`,
        translation: t,
        rotation: axisAngleToQuaternion([b.pose[j * 3], b.pose[j * 3 + 1], b.pose[j * 3 + 2]]),
      });
    }
    for (let j = 0; j < 24; j++) {
      const kids = [];
      for (let k = 0; k < 24; k++) if (b.parents[k] === j) kids.push(first + k);
      if (kids.length) nodes[first + j].children = kids;
      if (b.parents[j] < 0) (nodes[0].children as number[]).push(first + j);
    }
    // inverse bind matrices: translation by -J_j (column-major 4x4)
    const ibm = new Float32Array(24 * 16);
    for (let j = 0; j < 24; j++) {
      ibm.set([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, -J[j * 3], -J[j * 3 + 1], -J[j * 3 + 2], 1], j * 16);
    }
    const ibmAcc = addAccessor(ibm, FLOAT, 'MAT4', 24);
    skins.push({ name: `${b.name}_skin`, joints: Array.from({ length: 24 }, (_, j) => first + j), inverseBindMatrices: ibmAcc, skeleton: first });
    materials.push({
      name: `${b.name}_skin_material`,
      pbrMetallicRoughness: { baseColorFactor: b.color ?? (bi === 0 ? [0.78, 0.66, 0.58, 1] : [0.58, 0.68, 0.8, 1]), metallicFactor: 0, roughnessFactor: 0.75 },
    });
    meshes.push({ name: `${b.name}_mesh`, primitives: [{ attributes: { POSITION: pos, NORMAL: nrm, JOINTS_0: jts, WEIGHTS_0: wts }, indices: idx, material: bi }] });
    nodes.push({ name: b.name, mesh: meshes.length - 1, skin: skins.length - 1 });
    sceneNodes.push(nodes.length - 1);
  });
  const bin = new Uint8Array(byteLength + ((4 - (byteLength % 4)) % 4));
  let p = 0;
  for (const c of chunks) {
    bin.set(c, p);
    p += c.length;
  }
  const json = {
    asset: { version: '2.0', generator: 'person-in-place' },
    scene: 0,
    scenes: [{ name: 'bodies', nodes: sceneNodes }],
    nodes,
    meshes,
    skins,
    materials,
    accessors,
    bufferViews: views.map((v) => ({ buffer: 0, byteOffset: v.offset, byteLength: v.length, ...(v.target ? { target: v.target } : {}) })),
    buffers: [{ byteLength: bin.length }],
  };
  let jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jpad = (4 - (jsonBytes.length % 4)) % 4;
  if (jpad) {
    const padded = new Uint8Array(jsonBytes.length + jpad).fill(0x20);
    padded.set(jsonBytes);
    jsonBytes = padded;
  }
  const total = 12 + 8 + jsonBytes.length + 8 + bin.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true); // 'glTF'
  dv.setUint32(4, 2, true);
  dv.setUint32(8, total, true);
  dv.setUint32(12, jsonBytes.length, true);
  dv.setUint32(16, 0x4e4f534a, true); // 'JSON'
  out.set(jsonBytes, 20);
  const b0 = 20 + jsonBytes.length;
  dv.setUint32(b0, bin.length, true);
  dv.setUint32(b0 + 4, 0x004e4942, true); // 'BIN\0'
  out.set(bin, b0 + 8);
  return out;
}

/** Wavefront OBJ of posed meshes. Positions [V*3] in the camera frame are written in glTF's y-up frame (x, -y, -z). */
export function writeObj(meshes: Array<{ name: string; positions: ArrayLike<number>; faces: ArrayLike<number> }>): string {
  const lines = ['# person-in-place fitted bodies; metres, y up (camera frame turned 180 degrees about x, as in body.glb)'];
  let base = 1;
  for (const m of meshes) {
    lines.push(`o ${m.name}`);
    const P = m.positions;
    for (let i = 0; i < P.length; i += 3) lines.push(`v ${P[i].toFixed(5)} ${(-P[i + 1]).toFixed(5)} ${(-P[i + 2]).toFixed(5)}`);
    const F = m.faces;
    for (let f = 0; f < F.length; f += 3) lines.push(`f ${F[f] + base} ${F[f + 1] + base} ${F[f + 2] + base}`);
    base += P.length / 3;
  }
  return lines.join('\n') + '\n';
}
