/**
 * Skinned meshes drawn as static copies of their current pose. The viewer never moves bones while the user orbits, so
 * skinning every vertex again in the vertex shader each frame is wasted work (on a software renderer most of the
 * frame); `bakePose` skins once on the CPU, in the same linear blend as the shader, and adds the result as a plain
 * mesh. The skinned mesh and its bones stay in the scene for bone helpers, bounds and export, moved to
 * SKINNED_SOURCE_LAYER, which the camera (layer 0) does not draw. Optionally each copy gets a coarse level
 * (cluster-simplify.ts) that panel-3d.ts draws while the body is small on screen.
 */
import * as THREE from 'three';
import { clusterSimplify } from './cluster-simplify.ts';

/** Layer of the skinned meshes whose posed copy is drawn instead (the camera sees layer 0 only). */
export const SKINNED_SOURCE_LAYER = 1;

/** The levels of a posed copy, found from whichever level's geometry a mesh holds (clones share the geometries). */
export const LEVELS = new WeakMap<THREE.BufferGeometry, { full: THREE.BufferGeometry; coarse: THREE.BufferGeometry }>();

const _v = new THREE.Vector3();
const _v4 = new THREE.Vector4();

/**
 * Draw every skinned mesh under `root` as a static mesh of its current pose: positions and normals skinned once here
 * (linear blend, as the shader does), the skinned mesh itself moved to SKINNED_SOURCE_LAYER. Call again after moving
 * bones. Three.js' SkinnedMesh.applyBoneTransform does the maths; the result is in the skinned mesh's own frame, so
 * the copy is its child (named `<mesh> (posed)`, `userData.bakedPose` true). With `coarseCell` (metres) the copy also
 * gets a coarse level, registered in LEVELS.
 */
export function bakePose(root: THREE.Object3D, coarseCell?: number): void {
  root.updateMatrixWorld(true);
  const skinned: THREE.SkinnedMesh[] = [];
  root.traverse((o) => { if ((o as THREE.SkinnedMesh).isSkinnedMesh) skinned.push(o as THREE.SkinnedMesh); });
  for (const sk of skinned) {
    for (const old of sk.children.filter((c) => c.userData.bakedPose)) {
      sk.remove(old);
      const g = (old as THREE.Mesh).geometry;
      const levels = LEVELS.get(g);
      levels?.full.dispose();
      levels?.coarse.dispose();
      g.dispose();
    }
    const g = sk.geometry;
    const pos = g.getAttribute('position');
    const nor = g.getAttribute('normal');
    const p = new Float32Array(pos.count * 3);
    const n = nor ? new Float32Array(pos.count * 3) : null;
    for (let i = 0; i < pos.count; i++) {
      sk.applyBoneTransform(i, _v.fromBufferAttribute(pos, i));
      p[i * 3] = _v.x; p[i * 3 + 1] = _v.y; p[i * 3 + 2] = _v.z;
      if (n && nor) {
        sk.applyBoneTransform(i, _v4.set(nor.getX(i), nor.getY(i), nor.getZ(i), 0));
        _v.set(_v4.x, _v4.y, _v4.z).normalize();
        n[i * 3] = _v.x; n[i * 3 + 1] = _v.y; n[i * 3 + 2] = _v.z;
      }
    }
    const baked = new THREE.BufferGeometry();
    baked.setAttribute('position', new THREE.BufferAttribute(p, 3));
    if (n) baked.setAttribute('normal', new THREE.BufferAttribute(n, 3));
    for (const name of ['uv', 'color']) {
      const a = g.getAttribute(name);
      if (a) baked.setAttribute(name, a);
    }
    if (g.index) baked.setIndex(g.index);
    for (const gr of g.groups) baked.addGroup(gr.start, gr.count, gr.materialIndex);
    // The coarse level keeps positions and normals only: not for meshes with UVs, colours or several materials.
    if (coarseCell && !g.getAttribute('uv') && !g.getAttribute('color') && !Array.isArray(sk.material)) {
      const c = clusterSimplify({ positions: p, normals: n, index: Uint32Array.from(g.index ? g.index.array : Array.from({ length: pos.count }, (_, i) => i)) }, coarseCell);
      const coarse = new THREE.BufferGeometry();
      coarse.setAttribute('position', new THREE.BufferAttribute(c.positions, 3));
      if (c.normals) coarse.setAttribute('normal', new THREE.BufferAttribute(c.normals, 3));
      coarse.setIndex(new THREE.BufferAttribute(c.positions.length / 3 < 65536 ? Uint16Array.from(c.index) : c.index, 1));
      const levels = { full: baked, coarse };
      LEVELS.set(baked, levels);
      LEVELS.set(coarse, levels);
    }
    const mesh = new THREE.Mesh(baked, sk.material);
    mesh.name = `${sk.name || 'body'} (posed)`;
    mesh.userData.bakedPose = true;
    sk.add(mesh);
    sk.layers.set(SKINNED_SOURCE_LAYER);
  }
}
