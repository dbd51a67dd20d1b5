/** The posed copy of a skinned mesh is the linear-blend skin of its current pose (what the shader would draw). */
import * as THREE from 'three';
import { describe, expect, it } from 'vitest';
import { bakePose, LEVELS, SKINNED_SOURCE_LAYER } from '../../viewer/src/bake-pose.ts';

/** A two-bone arm along +y (indexed cylinder), the elbow bent 90 degrees about z, the whole mesh moved and turned. */
function bentArm(): { root: THREE.Group; mesh: THREE.SkinnedMesh; bones: THREE.Bone[] } {
  const g = new THREE.CylinderGeometry(0.1, 0.1, 2, 24, 40);
  g.translate(0, 1, 0);
  g.deleteAttribute('uv');
  const n = g.attributes.position.count;
  const idx = new Uint16Array(n * 4);
  const w = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const y = g.attributes.position.getY(i);
    // Blend over the elbow (y in [0.8, 1.2]): a real linear blend, not only rigid parts.
    const t = Math.min(1, Math.max(0, (y - 0.8) / 0.4));
    idx[i * 4] = 0; idx[i * 4 + 1] = 1;
    w[i * 4] = 1 - t; w[i * 4 + 1] = t;
  }
  g.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(idx, 4));
  g.setAttribute('skinWeight', new THREE.Float32BufferAttribute(w, 4));
  const shoulder = new THREE.Bone();
  const elbow = new THREE.Bone();
  elbow.position.y = 1;
  shoulder.add(elbow);
  const mesh = new THREE.SkinnedMesh(g, new THREE.MeshStandardMaterial());
  mesh.add(shoulder);
  mesh.bind(new THREE.Skeleton([shoulder, elbow]));
  const root = new THREE.Group();
  root.add(mesh);
  root.position.set(0.5, -1, -3);
  root.rotation.y = 0.3;
  elbow.rotation.z = Math.PI / 2;
  return { root, mesh, bones: [shoulder, elbow] };
}

/** Index of a vertex at the arm's tip (largest y in the rest pose). */
function topVertex(mesh: THREE.SkinnedMesh): number {
  const p = mesh.geometry.attributes.position;
  let best = 0;
  for (let i = 1; i < p.count; i++) if (p.getY(i) > p.getY(best) + 1e-9) best = i;
  return best;
}

describe('bakePose', () => {
  it('adds a static copy equal to the linear-blend skin, and moves the skinned mesh off the drawn layer', () => {
    const { root, mesh, bones } = bentArm();
    bakePose(root, 0.05);
    root.updateMatrixWorld(true);
    const copy = mesh.children.find((c) => c.userData.bakedPose) as THREE.Mesh;
    expect(copy).toBeDefined();
    expect((copy as unknown as THREE.SkinnedMesh).isSkinnedMesh).toBeUndefined();
    expect(mesh.layers.isEnabled(0)).toBe(false);
    expect(mesh.layers.isEnabled(SKINNED_SOURCE_LAYER)).toBe(true);
    expect(copy.layers.isEnabled(0)).toBe(true);
    // Independent linear blend: v' = sum_i w_i * (bone_i.matrixWorld * boneInverse_i) * v, in world space.
    const src = mesh.geometry.attributes.position;
    const got = copy.geometry.attributes.position;
    const world = new THREE.Vector3();
    const want = new THREE.Vector3();
    const part = new THREE.Vector3();
    const m = new THREE.Matrix4();
    let worst = 0;
    for (let i = 0; i < src.count; i++) {
      want.set(0, 0, 0);
      const v = new THREE.Vector3().fromBufferAttribute(src, i).applyMatrix4(mesh.bindMatrix);
      for (let k = 0; k < 2; k++) {
        const wk = mesh.geometry.attributes.skinWeight.getComponent(i, k);
        const b = mesh.geometry.attributes.skinIndex.getComponent(i, k);
        m.multiplyMatrices(bones[b].matrixWorld, mesh.skeleton.boneInverses[b]);
        want.add(part.copy(v).applyMatrix4(m).multiplyScalar(wk));
      }
      world.fromBufferAttribute(got, i).applyMatrix4(copy.matrixWorld);
      worst = Math.max(worst, world.distanceTo(want));
    }
    expect(worst).toBeLessThan(1e-5);
    // The forearm tip went from (0, 2, 0) to (-1, 1, 0) in the mesh's frame; its normals turned with it, unit length.
    const tip = new THREE.Vector3().fromBufferAttribute(got, topVertex(mesh));
    expect(tip.x).toBeCloseTo(-1, 5);
    expect(tip.y).toBeCloseTo(1, 5);
    const nrm = copy.geometry.attributes.normal;
    for (let i = 0; i < nrm.count; i += 97) expect(new THREE.Vector3().fromBufferAttribute(nrm, i).length()).toBeCloseTo(1, 5);
    const levels = LEVELS.get(copy.geometry)!;
    expect(levels.full).toBe(copy.geometry);
    expect(levels.coarse.index!.count).toBeLessThan(copy.geometry.index!.count);
    expect(LEVELS.get(levels.coarse)).toBe(levels);
  });

  it('replaces the copy when baked again after the bones move', () => {
    const { root, mesh, bones } = bentArm();
    bakePose(root);
    bones[1].rotation.z = 0;
    bakePose(root);
    const copies = mesh.children.filter((c) => c.userData.bakedPose) as THREE.Mesh[];
    expect(copies).toHaveLength(1);
    const tip = new THREE.Vector3().fromBufferAttribute(copies[0].geometry.attributes.position, topVertex(mesh));
    expect(tip.y).toBeCloseTo(2, 5);
  });
});
