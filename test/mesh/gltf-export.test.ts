import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { writeGlb, writeObj, type GltfBody } from '../../src/mesh/gltf-export.ts';
import { MEAN_REST_JOINTS, SMPL_PARENTS } from '../../src/mesh/kinematics.ts';

/** A tiny two-bone "body": a box along the left arm, skinned half to the shoulder, half to the elbow. */
function tinyBody(pose: number[], translation: number[]): GltfBody {
  const s = [16 * 3, 18 * 3].map((o) => [MEAN_REST_JOINTS[o], MEAN_REST_JOINTS[o + 1], MEAN_REST_JOINTS[o + 2]]);
  const verts: number[] = [];
  const joints: number[] = [];
  const weights: number[] = [];
  for (const x of [s[0][0], s[1][0] + 0.2]) for (const y of [-0.03, 0.03]) for (const z of [-0.03, 0.03]) {
    verts.push(x, s[0][1] + y, s[0][2] + z);
    joints.push(x > s[1][0] ? 18 : 16, 0, 0, 0);
    weights.push(1, 0, 0, 0);
  }
  const faces = [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3];
  return {
    name: 'body', restVertices: Float64Array.from(verts), faces: Uint32Array.from(faces), restJoints: Float64Array.from(MEAN_REST_JOINTS),
    parents: SMPL_PARENTS, joints: Uint16Array.from(joints), weights: Float32Array.from(weights), pose, translation,
  };
}

function parse(bytes: Uint8Array): Promise<THREE.Group> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new Promise((res, rej) => new GLTFLoader().parse(ab, '', (g) => res(g.scene), rej));
}

function skinnedVertex(mesh: THREE.SkinnedMesh, i: number): THREE.Vector3 {
  const v = new THREE.Vector3().fromBufferAttribute(mesh.geometry.attributes.position as THREE.BufferAttribute, i);
  mesh.applyBoneTransform(i, v);
  return v;
}

describe('writeGlb', () => {
  it('loads in three.js GLTFLoader as skinned meshes with 24-bone skeletons', async () => {
    const pose = new Array(72).fill(0);
    const scene = await parse(writeGlb([tiny(pose), tiny(pose, 'partner')]));
    const meshes: THREE.SkinnedMesh[] = [];
    scene.traverse((o) => { if ((o as THREE.SkinnedMesh).isSkinnedMesh) meshes.push(o as THREE.SkinnedMesh); });
    expect(meshes).toHaveLength(2);
    for (const m of meshes) expect(m.skeleton.bones).toHaveLength(24);
  });
  it('poses the skeleton: a 90 degree elbow bend in the camera frame becomes y-up glTF', async () => {
    const pose = new Array(72).fill(0);
    pose[0] = Math.PI; // facing the camera
    pose[18 * 3 + 1] = -Math.PI / 2; // left elbow bent forward
    const scene = await parse(writeGlb([tinyBody(pose, [0, 0, 3])]));
    scene.updateMatrixWorld(true);
    let mesh!: THREE.SkinnedMesh;
    scene.traverse((o) => { if ((o as THREE.SkinnedMesh).isSkinnedMesh) mesh = o as THREE.SkinnedMesh; });
    mesh.skeleton.update();
    const elbow = new THREE.Vector3();
    mesh.skeleton.bones[18].getWorldPosition(elbow);
    // camera frame: root turned pi about x, so body (x, y, z) -> (x, -y, -z) + t; glTF: (x, -y, -z) again -> body + (0,0,-3)
    expect(elbow.x).toBeCloseTo(MEAN_REST_JOINTS[18 * 3], 5);
    expect(elbow.y).toBeCloseTo(MEAN_REST_JOINTS[18 * 3 + 1], 5);
    expect(elbow.z).toBeCloseTo(MEAN_REST_JOINTS[18 * 3 + 2] - 3, 5);
    // the far end of the forearm (rest +x beyond the elbow) now points forward: towards the viewer (+z in glTF)
    const tip = skinnedVertex(mesh, 4).applyMatrix4(mesh.matrixWorld);
    expect(tip.z - elbow.z).toBeGreaterThan(0.15);
    expect(Math.abs(tip.x - elbow.x)).toBeLessThan(0.05);
  });
});

function tiny(pose: number[], name = 'body'): GltfBody {
  return { ...tinyBody(pose, [0, 0, 3]), name };
}

describe('writeObj', () => {
  it('writes y-up vertices and 1-based faces, offset per mesh', () => {
    const obj = writeObj([
      { name: 'a', positions: [0, 1, 2, 1, 1, 2, 0, 2, 2], faces: [0, 1, 2] },
      { name: 'b', positions: [0, 1, 2, 1, 1, 2, 0, 2, 2], faces: [0, 1, 2] },
    ]);
    const lines = obj.trim().split('\n');
    expect(lines).toContain('v 0.00000 -1.00000 -2.00000');
    expect(lines).toContain('f 1 2 3');
    expect(lines).toContain('f 4 5 6');
    expect(lines.filter((l) => l.startsWith('o '))).toEqual(['o a', 'o b']);
  });
});
