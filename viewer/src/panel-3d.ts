/**
 * The 3D panel: the fitted body(ies) as skinned meshes with their bones, seen through the photo's own camera with
 * the photo as a backplate (so from the front the body lines up with the picture), a ground grid under the feet,
 * and OrbitControls to look around. It renders on demand (when something changes), not in a loop.
 *
 * What a frame costs, and what is done about it (docs/viewer.md has the measurements):
 * - The pose of a fitted body does not change while the user orbits, so each skinned mesh is drawn as a static copy
 *   of its current pose (skinned once on the CPU when the body arrives, `bakePose`) instead of being skinned again in
 *   the vertex shader every frame. The skinned mesh and its bones stay in the scene (bone helpers, bounds, export), on
 *   a layer the camera does not draw.
 * - A body has about 19k triangles; at the panel's size that is about one triangle per pixel. Each posed copy also
 *   has a coarser level (vertices merged per 2 cm cube, cluster-simplify.ts), drawn while 2 cm covers at most
 *   LOD_MAX_PX device pixels; zoomed in, the full mesh is drawn.
 * - The backplate shows the photo's own sRGB values (a raw texture and a two-line shader) instead of decoding them
 *   to linear and encoding them back per pixel, and samples one mip level instead of blending two.
 * `?perf=0` in the page URL turns all three off (the frame as drawn before them, for comparison).
 */
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { bakePose, LEVELS } from './bake-pose.ts';
import { backplate, openCvToGl, photoProjection, projectGl, type PhotoCamera } from './photo-camera.ts';

/** The parts of body.json the panel uses. */
export interface BodyInfo {
  translation?: number[];
  camera?: { focal: number; cx: number; cy: number };
  joints2d?: number[][];
  joints3d?: number[][];
}

/** The frame bench's answer (benchOrbit). */
export interface OrbitBench {
  medianMs: number; meanMs: number;
  /** Bodies in the scene while orbiting, and what the last frame drew (renderer.info). */
  meshes: number; triangles: number; calls: number;
  /** Which version of the bodies was drawn: posed copy (coarse or full level) or shader skinning (`?perf=0`). */
  level: 'full' | 'coarse' | 'skinned';
  /** Device pixels LOD_CELL_M covered at the body in the last frame (the coarse level is drawn up to LOD_MAX_PX). */
  cellPx: number;
  stand_in: boolean; antialias: boolean; renderer: string; perf: boolean;
  /** Drawing buffer in device pixels, its size on the page in CSS pixels, and the pixel ratio. */
  canvas: { width: number; height: number; cssWidth: number; cssHeight: number; pixelRatio: number };
}

/** What tests and the bench read back. */
export interface Panel3dDump {
  meshes: number; skinned: number; bones: number; vertices: number;
  /** Posed copies drawn in place of the skinned meshes (bake-pose.ts); made just after a body's first frame. */
  posed: number;
  /** Bounding box of the bodies (skinned), glTF frame, metres. */
  bounds: [number, number, number, number, number, number] | null;
  /** Mean pixel distance between body.joints2d and body.joints3d projected by the viewer's camera. */
  alignmentPx: number | null;
  camera: { position: number[]; photoView: boolean };
}

/** Cube side (metres) of the coarse level of a body. */
export const LOD_CELL_M = 0.02;
/** The coarse level is drawn while LOD_CELL_M projects to at most this many device pixels (`?lodpx=N` overrides). */
export const LOD_MAX_PX = 6;

function lodMaxPx(): number {
  const v = Number(new URLSearchParams(globalThis.location?.search ?? '').get('lodpx'));
  return Number.isFinite(v) && v >= 0 && new URLSearchParams(globalThis.location?.search ?? '').has('lodpx') ? v : LOD_MAX_PX;
}

/** `?perf=0`: draw without the frame-time optimisations (shader skinning, full mesh, decoded backplate). */
function perfOn(): boolean {
  return new URLSearchParams(globalThis.location?.search ?? '').get('perf') !== '0';
}

const _v = new THREE.Vector3();
const _box = new THREE.Box3();
const _spherical = new THREE.Spherical();

export class Panel3d {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  readonly camera = new THREE.PerspectiveCamera(50, 4 / 3, 0.05, 100);
  readonly controls: OrbitControls;
  private readonly bodies = new THREE.Group();
  private readonly helpers = new THREE.Group();
  private plate: THREE.Mesh | null = null;
  private grid: THREE.GridHelper | null = null;
  private photo: PhotoCamera | null = null;
  private depth = 3;
  /** Depth of the farthest body point (the backplate goes behind it). */
  private farDepth = 3;
  private bodyInfo: BodyInfo[] = [];
  private readonly loader = new GLTFLoader();
  private pending = false;
  private raf = 0;
  /** Bodies whose posed copies are still to be made (scheduleBake). */
  private toBake: THREE.Object3D[] = [];
  private bakeScheduled = false;
  /** Multisampling: on for GPUs, off for software renderers (SwiftShader), `?aa=0|1` decides when given. */
  readonly antialias: boolean;
  /** WebGL runs on the CPU (SwiftShader, llvmpipe): no GPU. */
  readonly softwareRenderer: boolean;
  /** Frame-time optimisations on (pose baked, coarse level, raw backplate); `?perf=0` turns them off. */
  readonly perf = perfOn();
  /** Device pixels LOD_CELL_M covered at the last level choice. */
  lastCellPx = 0;
  /** Device pixels that LOD_CELL_M may cover for the coarse level to be drawn. */
  readonly lodMaxPx = lodMaxPx();

  constructor(readonly canvas: HTMLCanvasElement, private readonly width = 560) {
    this.softwareRenderer = isSoftwareRenderer();
    this.antialias = wantAntialias(this.softwareRenderer);
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: this.antialias, preserveDrawingBuffer: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio || 1));
    this.renderer.outputColorSpace = THREE.SRGBColorSpace;
    this.scene.background = new THREE.Color(0x20232a);
    this.scene.add(new THREE.HemisphereLight(0xffffff, 0x444455, 1.6));
    const sun = new THREE.DirectionalLight(0xffffff, 1.8);
    sun.position.set(1, 2, 1.5);
    this.scene.add(sun, this.bodies, this.helpers);
    this.controls = new OrbitControls(this.camera, canvas);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => this.requestRender());
    this.setSize(4 / 3);
  }

  /** Canvas at `aspect` (width / height) and the panel's width. */
  private setSize(aspect: number): void {
    const w = Math.min(this.width, this.width * 0.9 * aspect);
    this.renderer.setSize(Math.round(w), Math.round(w / aspect), true);
  }

  /** Show `image` as the backplate of the photo camera `cam`. */
  setPhoto(image: HTMLImageElement, cam: PhotoCamera): void {
    const same = this.plate && this.plateTexture()?.image === image && JSON.stringify(cam) === JSON.stringify(this.photo);
    if (same) return;
    this.photo = cam;
    this.setSize(cam.width / cam.height);
    if (this.plate) {
      this.scene.remove(this.plate);
      this.plate.geometry.dispose();
      this.plateTexture()?.dispose();
      (this.plate.material as THREE.Material).dispose();
    }
    const tex = new THREE.Texture(image);
    tex.needsUpdate = true;
    let material: THREE.Material;
    if (this.perf) {
      // The photo's sRGB bytes straight to the sRGB canvas: what decode-to-linear and encode-back would give.
      tex.colorSpace = THREE.NoColorSpace;
      tex.minFilter = THREE.LinearMipmapNearestFilter;
      material = new THREE.ShaderMaterial({
        uniforms: { map: { value: tex } }, side: THREE.DoubleSide, toneMapped: false,
        vertexShader: 'varying vec2 vUv;\nvoid main() { vUv = uv; gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0); }',
        fragmentShader: 'uniform sampler2D map;\nvarying vec2 vUv;\nvoid main() { gl_FragColor = vec4(texture2D(map, vUv).rgb, 1.0); }',
      });
    } else {
      tex.colorSpace = THREE.SRGBColorSpace;
      material = new THREE.MeshBasicMaterial({ map: tex, side: THREE.DoubleSide, toneMapped: false });
    }
    this.plate = new THREE.Mesh(new THREE.PlaneGeometry(1, 1), material);
    this.plate.name = 'backplate';
    this.scene.add(this.plate);
    this.placePlate();
    this.photoView();
  }

  /** The backplate's texture (either material). */
  private plateTexture(): THREE.Texture | null {
    const m = this.plate?.material as (THREE.MeshBasicMaterial & THREE.ShaderMaterial) | undefined;
    return m ? (m.isShaderMaterial ? m.uniforms.map.value as THREE.Texture : m.map) : null;
  }

  private placePlate(): void {
    if (!this.plate || !this.photo) return;
    const far = Math.max(this.depth, this.farDepth);
    const d = Math.max(far * 1.3, far + 1.5);
    const p = backplate(this.photo, d);
    this.plate.scale.set(p.width, p.height, 1);
    this.plate.position.set(...p.center);
  }

  /** Replace the bodies with the given GLB files (bytes) and their body.json objects. */
  async setBodies(glbs: ArrayBuffer[], infos: BodyInfo[]): Promise<void> {
    const scenes = await Promise.all(glbs.map((b) => this.loader.parseAsync(b.slice(0), '')));
    this.clearBodies();
    this.bodyInfo = infos;
    for (const gltf of scenes) {
      if (this.perf) this.toBake.push(gltf.scene);
      this.bodies.add(gltf.scene);
      let bones = 0;
      gltf.scene.traverse((o) => { if ((o as THREE.Bone).isBone) bones++; });
      if (bones) {
        // glTF puts the bones beside the skinned meshes, so the helper walks the whole scene.
        const helper = new THREE.SkeletonHelper(gltf.scene);
        const m = helper.material as THREE.LineBasicMaterial;
        m.depthTest = false;
        m.transparent = true;
        m.opacity = 0.9;
        m.vertexColors = false;
        m.color.set(0x00e5ff);
        helper.renderOrder = 1;
        this.helpers.add(helper);
      }
    }
    const t = infos[0]?.translation;
    if (t && Number.isFinite(t[2]) && t[2] > 0) this.depth = t[2];
    else if (!this.bodies.children.length || _box.setFromObject(this.bodies, true).isEmpty()) this.depth = 3;
    else this.depth = -_box.getCenter(_v).z;
    this.farDepth = this.depth;
    if (this.bodies.children.length) {
      _box.setFromObject(this.bodies, true);
      if (!_box.isEmpty()) this.farDepth = Math.max(this.depth, -_box.min.z);
    }
    this.placeGrid();
    this.placePlate();
    this.controls.target.set(0, 0, -this.depth);
    this.controls.update();
    this.requestRender();
    this.scheduleBake();
  }

  /**
   * Make the posed copies of new bodies once the first frame with them is out (that frame skins in the shader: the
   * same picture), so the bake never delays the scene's first appearance.
   */
  private scheduleBake(): void {
    if (!this.toBake.length || this.bakeScheduled) return;
    this.bakeScheduled = true;
    requestAnimationFrame(() => setTimeout(() => {
      this.bakeScheduled = false;
      if (this.flushBake()) this.requestRender();
    }, 0));
  }

  /** Bake the bodies still waiting (now); true when there were any. */
  flushBake(): boolean {
    const todo = this.toBake.splice(0).filter((o) => o.parent === this.bodies);
    for (const o of todo) bakePose(o, LOD_CELL_M);
    return todo.length > 0;
  }

  clearBodies(): void {
    this.toBake = [];
    for (const child of [...this.bodies.children]) {
      this.bodies.remove(child);
      child.traverse((o) => {
        const m = o as THREE.Mesh;
        const levels = m.geometry ? LEVELS.get(m.geometry) : undefined;
        levels?.full.dispose();
        levels?.coarse.dispose();
        m.geometry?.dispose();
        const mats = Array.isArray(m.material) ? m.material : m.material ? [m.material] : [];
        for (const mat of mats) mat.dispose();
      });
    }
    for (const h of [...this.helpers.children]) {
      this.helpers.remove(h);
      (h as THREE.SkeletonHelper).dispose?.();
    }
    this.bodyInfo = [];
    this.requestRender();
  }

  private placeGrid(): void {
    if (this.grid) {
      this.scene.remove(this.grid);
      this.grid.dispose();
      this.grid = null;
    }
    if (!this.bodies.children.length) return;
    _box.setFromObject(this.bodies, true);
    if (_box.isEmpty()) return;
    const c = _box.getCenter(_v);
    this.grid = new THREE.GridHelper(4, 16, 0x8899aa, 0x556070);
    this.grid.position.set(c.x, _box.min.y, c.z);
    this.grid.name = 'ground';
    this.scene.add(this.grid);
  }

  /** Back to the photo's own view: camera at the origin, looking down -z, the photo's projection. */
  photoView(): void {
    this.camera.position.set(0, 0, 0);
    this.camera.quaternion.identity();
    this.controls.target.set(0, 0, -this.depth);
    this.controls.update();
    this.applyProjection();
    this.requestRender();
  }

  private applyProjection(): void {
    const near = 0.05;
    const far = Math.max(50, this.depth * 6);
    if (this.photo) {
      this.camera.projectionMatrix.set(...(photoProjection(this.photo, near, far) as Parameters<THREE.Matrix4['set']>));
      this.camera.projectionMatrixInverse.copy(this.camera.projectionMatrix).invert();
    } else {
      this.camera.near = near;
      this.camera.far = far;
      this.camera.updateProjectionMatrix();
    }
  }

  /** Turn the camera about the orbit target by `radians` (left-right). */
  orbit(radians: number): void {
    _v.copy(this.camera.position).sub(this.controls.target);
    _spherical.setFromVector3(_v);
    _spherical.theta += radians;
    _v.setFromSpherical(_spherical).add(this.controls.target);
    this.camera.position.copy(_v);
    this.camera.lookAt(this.controls.target);
    this.requestRender();
  }

  /** Render on the next animation frame (coalesced). */
  requestRender(): void {
    if (this.pending) return;
    this.pending = true;
    this.raf = requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  /** Render now (a frame already requested is then not drawn again). */
  render(): void {
    if (this.pending) {
      cancelAnimationFrame(this.raf);
      this.pending = false;
    }
    if (this.perf) this.chooseLevels();
    this.renderer.render(this.scene, this.camera);
  }

  /** Each posed body copy gets its coarse level while LOD_CELL_M projects to at most LOD_MAX_PX device pixels. */
  private chooseLevels(): void {
    this.bodies.updateMatrixWorld();
    this.camera.updateMatrixWorld();
    const halfHeightPx = this.renderer.getContext().drawingBufferHeight / 2;
    const focalPx = this.camera.projectionMatrix.elements[5] * halfHeightPx;
    this.bodies.traverse((o) => {
      const m = o as THREE.Mesh;
      if (!m.isMesh || !m.userData.bakedPose) return;
      const levels = LEVELS.get(m.geometry);
      if (!levels) return;
      if (!levels.full.boundingSphere) levels.full.computeBoundingSphere();
      _v.copy(levels.full.boundingSphere!.center).applyMatrix4(m.matrixWorld);
      // Depth along the view direction (what the projection divides by).
      const depth = Math.max(1e-6, -_v.applyMatrix4(this.camera.matrixWorldInverse).z);
      const cellPx = (LOD_CELL_M * focalPx) / depth;
      this.lastCellPx = cellPx;
      const want = cellPx <= this.lodMaxPx ? levels.coarse : levels.full;
      if (m.geometry !== want) m.geometry = want;
    });
  }

  /** Which version of the bodies the last level choice drew: the coarse or full posed copy, or shader skinning. */
  drawnLevel(): 'full' | 'coarse' | 'skinned' {
    let level: 'full' | 'coarse' | 'skinned' = 'skinned';
    this.bodies.traverse((o) => {
      const m = o as THREE.Mesh;
      if (m.isMesh && m.userData.bakedPose) level = LEVELS.get(m.geometry)?.coarse === m.geometry ? 'coarse' : 'full';
    });
    return level;
  }

  /** The scene graph summary tests read. */
  dump(): Panel3dDump {
    let meshes = 0;
    let skinned = 0;
    let bones = 0;
    let vertices = 0;
    let posed = 0;
    this.bodies.traverse((o) => {
      const m = o as THREE.Mesh;
      if (m.isMesh && m.userData.bakedPose) posed++;
      if (m.isMesh && !m.userData.bakedPose) {
        meshes++;
        vertices += m.geometry.attributes.position?.count ?? 0;
      }
      if ((o as THREE.SkinnedMesh).isSkinnedMesh) {
        skinned++;
        bones += (o as THREE.SkinnedMesh).skeleton.bones.length;
      }
    });
    this.bodies.updateMatrixWorld(true);
    _box.setFromObject(this.bodies, true);
    const bounds = _box.isEmpty() ? null : [_box.min.x, _box.min.y, _box.min.z, _box.max.x, _box.max.y, _box.max.z] as Panel3dDump['bounds'];
    return {
      meshes, skinned, bones, vertices, posed, bounds, alignmentPx: this.alignment(),
      camera: { position: this.camera.position.toArray(), photoView: this.camera.position.lengthSq() < 1e-12 },
    };
  }

  /** Mean distance (px) between each body's joints2d and its joints3d seen through the viewer's photo camera. */
  private alignment(): number | null {
    if (!this.photo) return null;
    let sum = 0;
    let n = 0;
    for (const b of this.bodyInfo) {
      if (!b.joints2d || !b.joints3d) continue;
      const cam = { ...this.photo, ...(b.camera ?? {}) };
      b.joints3d.forEach((p, i) => {
        const [u, v] = projectGl(cam, openCvToGl(p));
        const q = b.joints2d![i];
        sum += Math.hypot(u - q[0], v - q[1]);
        n++;
      });
    }
    return n ? sum / n : null;
  }

  /**
   * Frame time while orbiting: at least two bodies (the fitted one cloned when there is one; a stand-in skinned
   * figure when there is none), `frames` renders around the target, each waited for (a 1-pixel read). Milliseconds.
   */
  benchOrbit(frames = 120): OrbitBench {
    this.flushBake();
    const extra: THREE.Object3D[] = [];
    let standIn = false;
    if (!this.bodies.children.length) {
      standIn = true;
      extra.push(standInFigure(new THREE.Vector3(-0.4, 0, -this.depth)), standInFigure(new THREE.Vector3(0.4, 0, -this.depth)));
      if (this.perf) for (const o of extra) bakePose(o, LOD_CELL_M);
    } else {
      const first = this.bodies.children[0];
      for (let i = this.bodies.children.length; i < 2; i++) {
        const clone = cloneSkinned(first);
        clone.position.x += 0.8 * i;
        extra.push(clone);
      }
    }
    for (const o of extra) this.bodies.add(o);
    const gl = this.renderer.getContext();
    const px = new Uint8Array(4);
    const times: number[] = [];
    this.photoView();
    this.render();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    for (let i = 0; i < frames; i++) {
      const t0 = performance.now();
      this.orbit((Math.PI * 2) / frames);
      this.render();
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      times.push(performance.now() - t0);
    }
    // What the last frame drew (renderer.info resets every frame).
    const { triangles, calls } = this.renderer.info.render;
    const level = this.drawnLevel();
    const meshes = this.bodies.children.length;
    for (const o of extra) this.bodies.remove(o);
    this.photoView();
    const sorted = [...times].sort((a, b) => a - b);
    return {
      medianMs: sorted[sorted.length >> 1], meanMs: times.reduce((s, t) => s + t, 0) / times.length, meshes, triangles, calls, level, cellPx: this.lastCellPx, stand_in: standIn,
      antialias: this.antialias, renderer: rendererName(gl), perf: this.perf,
      canvas: { width: gl.drawingBufferWidth, height: gl.drawingBufferHeight, cssWidth: this.canvas.clientWidth, cssHeight: this.canvas.clientHeight, pixelRatio: this.renderer.getPixelRatio() },
    };
  }
}

function rendererName(gl: WebGLRenderingContext | WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
}

/** Whether to multisample: `?aa=` when given, else not on a software renderer (it costs several times the frame). */
function wantAntialias(software: boolean): boolean {
  const aa = new URLSearchParams(globalThis.location?.search ?? '').get('aa');
  if (aa === '0' || aa === '1') return aa === '1';
  return !software;
}

/** Whether WebGL renders on the CPU, from the renderer's name. */
function isSoftwareRenderer(): boolean {
  try {
    const canvas = document.createElement('canvas');
    const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
    if (!gl) return false;
    const name = rendererName(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software/i.test(name);
  } catch {
    return false;
  }
}

/** Clone a loaded glTF scene including skinned meshes (bones re-bound to the clone). */
function cloneSkinned(src: THREE.Object3D): THREE.Object3D {
  const clone = src.clone(true);
  const srcBones = new Map<string, THREE.Bone>();
  const cloneBones = new Map<string, THREE.Bone>();
  src.traverse((o) => { if ((o as THREE.Bone).isBone) srcBones.set(o.uuid, o as THREE.Bone); });
  const order: THREE.Object3D[] = [];
  src.traverse((o) => order.push(o));
  const cloned: THREE.Object3D[] = [];
  clone.traverse((o) => cloned.push(o));
  order.forEach((o, i) => { if (srcBones.has(o.uuid)) cloneBones.set(o.uuid, cloned[i] as THREE.Bone); });
  cloned.forEach((o, i) => {
    const s = order[i] as THREE.SkinnedMesh;
    if (s.isSkinnedMesh) {
      const bones = s.skeleton.bones.map((b) => cloneBones.get(b.uuid) ?? b);
      (o as THREE.SkinnedMesh).bind(new THREE.Skeleton(bones, s.skeleton.boneInverses), s.bindMatrix);
    }
  });
  return clone;
}

/** A skinned stand-in figure (about 7,000 vertices, 24 bones) for the frame bench when no body is fitted. */
function standInFigure(at: THREE.Vector3): THREE.Object3D {
  const g = new THREE.CylinderGeometry(0.15, 0.15, 1.7, 64, 110, false);
  const n = g.attributes.position.count;
  const idx = new Uint16Array(n * 4);
  const w = new Float32Array(n * 4);
  const bones: THREE.Bone[] = [];
  for (let i = 0; i < 24; i++) {
    const b = new THREE.Bone();
    b.position.y = i === 0 ? -0.85 : 1.7 / 23;
    if (i > 0) bones[i - 1].add(b);
    bones.push(b);
  }
  for (let i = 0; i < n; i++) {
    const y = g.attributes.position.getY(i) + 0.85;
    idx[i * 4] = Math.max(0, Math.min(23, Math.floor((y / 1.7) * 23)));
    w[i * 4] = 1;
  }
  g.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(idx, 4));
  g.setAttribute('skinWeight', new THREE.Float32BufferAttribute(w, 4));
  const mesh = new THREE.SkinnedMesh(g, new THREE.MeshStandardMaterial({ color: 0xc8a07a }));
  mesh.add(bones[0]);
  mesh.bind(new THREE.Skeleton(bones));
  mesh.position.copy(at);
  return mesh;
}
