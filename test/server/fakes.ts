/**
 * Fake domain functions for the server and viewer tests: deterministic, fast, and watchful. Every fake notes when it
 * is entered while another fake is still running (`state.overlaps`), which is what the server's queue must prevent.
 * The fake fitter lifts the 2D skeleton to 3D with a pinhole camera and builds a skinned GLB (one bone per limb) with
 * three's GLTFExporter, so the viewer gets a real skinned mesh whose front view lines up with the skeleton.
 */
import * as THREE from 'three';
import { GLTFExporter } from 'three/examples/jsm/exporters/GLTFExporter.js';
import { encodePng, type RgbImage } from '../../src/io/image.ts';
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';
import { cocoToOpenPose, LIMBS, type Keypoint } from '../../src/skeleton/topology.ts';
import type { ServerDeps, GenerateInput, FitInput, JointPin } from '../../src/server/types.ts';

/** A standing person in box-relative coordinates (x, y in [0, 1]). */
const CANONICAL: Array<[number, number]> = [
  [0.5, 0.08], [0.53, 0.06], [0.47, 0.06], [0.56, 0.08], [0.44, 0.08],
  [0.68, 0.2], [0.32, 0.2], [0.75, 0.38], [0.25, 0.38], [0.78, 0.52], [0.22, 0.52],
  [0.6, 0.52], [0.4, 0.52], [0.62, 0.74], [0.38, 0.74], [0.63, 0.95], [0.37, 0.95],
];

export interface FakeState {
  calls: Record<string, number>;
  active: number;
  overlaps: number;
}

function rng(seed: number): () => number {
  let s = (seed >>> 0) || 1;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A plausible skeleton in `box`; sample `k` reaches toward the object; pins hold joints and drag their neighbours. */
/** As generate's `hand` asks: that hand's wrist (9 left, 10 right) at the object centre. */
function withHand(kps: Keypoint[], object: Box, hand?: 'left' | 'right'): Keypoint[] {
  if (hand) kps[hand === 'left' ? 9 : 10] = [(object[0] + object[2]) / 2, (object[1] + object[3]) / 2, 1];
  return kps;
}

export function fakeSkeleton(box: Box, object: Box, seed: number, k: number, pins: JointPin[] = []): Keypoint[] {
  const r = rng(seed * 1000 + k + 1);
  const [x1, y1, x2, y2] = box;
  const w = x2 - x1;
  const h = y2 - y1;
  const ox = (object[0] + object[2]) / 2;
  const oy = (object[1] + object[3]) / 2;
  const kps: Keypoint[] = CANONICAL.map(([u, v]) => [x1 + (u + (r() - 0.5) * 0.04) * w, y1 + (v + (r() - 0.5) * 0.04) * h, 0.9]);
  const reach = 0.2 + 0.15 * k;
  for (const j of [9, 10]) {
    kps[j][0] += (ox - kps[j][0]) * reach;
    kps[j][1] += (oy - kps[j][1]) * reach;
  }
  for (const p of pins) {
    const dx = p.x - kps[p.joint][0];
    const dy = p.y - kps[p.joint][1];
    for (const [a, b] of LIMBS) {
      const other = a === p.joint ? b : b === p.joint ? a : -1;
      if (other >= 0 && !pins.some((q) => q.joint === other)) {
        kps[other][0] += dx * 0.5;
        kps[other][1] += dy * 0.5;
      }
    }
  }
  for (const p of pins) kps[p.joint] = [p.x, p.y, 1];
  return kps.map(([x, y, c]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10, c]);
}

/** three's GLTFExporter needs FileReader, which Node lacks. */
function polyfillFileReader(): void {
  const g = globalThis as { FileReader?: unknown };
  if (g.FileReader) return;
  g.FileReader = class {
    result: ArrayBuffer | string | null = null;
    onload: ((e: unknown) => void) | null = null;
    onloadend: ((e: unknown) => void) | null = null;
    readAsArrayBuffer(blob: Blob): void {
      void blob.arrayBuffer().then((b) => this.done(b));
    }
    readAsDataURL(blob: Blob): void {
      void blob.arrayBuffer().then((b) => this.done(`data:${blob.type || 'application/octet-stream'};base64,${Buffer.from(b).toString('base64')}`));
    }
    private done(result: ArrayBuffer | string): void {
      this.result = result;
      this.onload?.({ target: this });
      this.onloadend?.({ target: this });
    }
  };
}

/** OpenCV camera point -> glTF (y up, z backward). */
const toGltf = (p: [number, number, number]): THREE.Vector3 => new THREE.Vector3(p[0], -p[1], -p[2]);

/** Lift keypoints to 3D at the depth where the person box is 1.7 m tall, and build a skinned mesh GLB (both people with `partner`). */
export async function fakeBody(skel: SkeletonFile, sample: number, focalIn?: number, partner = false): Promise<{ body: Record<string, unknown>; bodies: Array<Record<string, unknown>>; glb: Uint8Array; obj: string }> {
  polyfillFileReader();
  const { width, height } = skel.image;
  const focal = focalIn ?? Math.max(width, height) * 1.2;
  const cx = width / 2;
  const cy = height / 2;
  const people: Array<{ kps: Keypoint[]; box: readonly number[] }> = [{ kps: skel.samples[sample].keypoints, box: skel.person_box }];
  if (partner && skel.partner) people.push({ kps: skel.partner.keypoints, box: skel.partner.box });
  const scene = new THREE.Scene();
  const bodies: Array<Record<string, unknown>> = [];
  const lines: string[] = [];
  let offset = 0;
  people.forEach(({ kps, box }, p) => {
    const depth = (focal * 1.7) / (box[3] - box[1]);
    const j3: Array<[number, number, number]> = kps.map(([u, v]) => [((u - cx) * depth) / focal, ((v - cy) * depth) / focal, depth]);
    const root = new THREE.Bone();
    root.name = `root_${p}`;
    const bones: THREE.Bone[] = [root];
    const geos: THREE.BufferGeometry[] = [];
    LIMBS.forEach(([a, b], i) => {
      const pa = toGltf(j3[a]);
      const pb = toGltf(j3[b]);
      const bone = new THREE.Bone();
      bone.name = `limb_${p}_${i}`;
      bone.position.copy(pa);
      root.add(bone);
      bones.push(bone);
      const len = pa.distanceTo(pb);
      const g = new THREE.CylinderGeometry(0.05, 0.05, Math.max(len, 0.01), 8, 1);
      const dir = pb.clone().sub(pa).normalize();
      g.applyQuaternion(new THREE.Quaternion().setFromUnitVectors(new THREE.Vector3(0, 1, 0), dir));
      g.translate((pa.x + pb.x) / 2, (pa.y + pb.y) / 2, (pa.z + pb.z) / 2);
      const n = g.attributes.position.count;
      g.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(new Array(n * 4).fill(0).map((_, q) => (q % 4 === 0 ? i + 1 : 0)), 4));
      g.setAttribute('skinWeight', new THREE.Float32BufferAttribute(new Array(n * 4).fill(0).map((_, q) => (q % 4 === 0 ? 1 : 0)), 4));
      geos.push(g.toNonIndexed());
    });
    const merged = mergeGeometries(geos);
    const mesh = new THREE.SkinnedMesh(merged, new THREE.MeshStandardMaterial({ color: p === 0 ? 0xc8a07a : 0x8fa7c8 }));
    mesh.name = `body_${p}`;
    mesh.add(root);
    mesh.bind(new THREE.Skeleton(bones));
    scene.add(mesh);
    bodies.push({
      model: 'fake-limbs', betas: new Array(10).fill(0), pose: new Array(24).fill([0, 0, 0]),
      translation: [j3[11][0] / 2 + j3[12][0] / 2, j3[11][1] / 2 + j3[12][1] / 2, depth],
      camera: { focal, cx, cy },
      joints2d: kps.map(([x, y]) => [x, y]), joints3d: j3,
      reprojection_error_px: { mean: 0, median: 0, max: 0 }, iterations: 1, ms: 1,
    });
    const pos = merged.attributes.position;
    for (let i = 0; i < pos.count; i++) lines.push(`v ${pos.getX(i)} ${pos.getY(i)} ${pos.getZ(i)}`);
    for (let i = 0; i < pos.count; i += 3) lines.push(`f ${offset + i + 1} ${offset + i + 2} ${offset + i + 3}`);
    offset += pos.count;
  });
  const glb = (await new GLTFExporter().parseAsync(scene, { binary: true })) as ArrayBuffer;
  return { body: bodies[0], bodies, glb: new Uint8Array(glb), obj: lines.join('\n') + '\n' };
}

function mergeGeometries(geos: THREE.BufferGeometry[]): THREE.BufferGeometry {
  const names = ['position', 'normal', 'skinIndex', 'skinWeight'] as const;
  const out = new THREE.BufferGeometry();
  for (const name of names) {
    const parts = geos.map((g) => g.getAttribute(name) as THREE.BufferAttribute);
    const size = parts[0].itemSize;
    const total = parts.reduce((s, p) => s + p.count * size, 0);
    const arr = name === 'skinIndex' ? new Uint16Array(total) : new Float32Array(total);
    let off = 0;
    for (const p of parts) {
      arr.set(p.array as ArrayLike<number>, off);
      off += p.count * size;
    }
    out.setAttribute(name, new THREE.BufferAttribute(arr, size));
  }
  return out;
}

/** Fake domain functions for `createApp`, with a shared state that records calls and overlaps. */
export function fakeDeps(delayMs = 2): { deps: Omit<ServerDeps, 'outDir'>; state: FakeState } {
  const state: FakeState = { calls: {}, active: 0, overlaps: 0 };
  const guarded = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    state.calls[name] = (state.calls[name] ?? 0) + 1;
    if (state.active > 0) state.overlaps++;
    state.active++;
    try {
      await new Promise((r) => setTimeout(r, delayMs));
      return await fn(...a);
    } finally {
      state.active--;
    }
  };
  const skeletonOf = (o: GenerateInput): SkeletonFile => ({
    image: { path: o.image.path ?? 'image.png', width: o.image.width, height: o.image.height },
    person_box: o.personBox, object_box: o.objectBox, category: o.category ?? null, action: o.action ?? null, seed: o.seed ?? 0,
    samples: Array.from({ length: o.samples ?? 1 }, (_, k) => ({ keypoints: withHand(fakeSkeleton(o.personBox, o.objectBox, o.seed ?? 0, k, o.pins), o.objectBox, o.hand), score: 1 - k * 0.1 })),
  });
  const deps: Omit<ServerDeps, 'outDir'> = {
    backend: 'fake',
    generate: guarded('generate', async (o: GenerateInput) => skeletonOf(o)),
    h2h: guarded('h2h', async (o) => ({
      ...skeletonOf({ image: o.image, personBox: o.personBox, objectBox: o.partnerBox, ...(o.samples ? { samples: o.samples } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.pins ? { pins: o.pins } : {}) }),
      partner: { box: o.partnerBox, keypoints: o.partnerKeypoints ?? fakeSkeleton(o.partnerBox, o.personBox, 7, 0) },
    })),
    fit: guarded('fit', async (o: FitInput) => {
      const r = await fakeBody(o.skeleton, o.sample ?? 0, o.focal, o.partner);
      return { body: r.body, bodies: r.bodies, glb: r.glb, obj: r.obj };
    }),
    guidanceFiles: guarded('guidanceFiles', async (image: RgbImage, skel: SkeletonFile, sample = 0) => {
      const people = [skel.samples[sample].keypoints, ...(skel.partner ? [skel.partner.keypoints] : [])];
      const pose = { data: new Uint8Array(image.width * image.height * 3), width: image.width, height: image.height, channels: 3 as const };
      for (const kps of people) {
        for (const [x, y] of kps) {
          const xi = Math.round(x);
          const yi = Math.round(y);
          if (xi >= 0 && yi >= 0 && xi < image.width && yi < image.height) pose.data.fill(255, (yi * image.width + xi) * 3, (yi * image.width + xi) * 3 + 3);
        }
      }
      const mask = { data: new Uint8Array(image.width * image.height), width: image.width, height: image.height, channels: 1 as const };
      const [x1, y1, x2, y2] = skel.person_box.map(Math.round);
      for (let y = Math.max(0, y1); y < Math.min(image.height, y2); y++) mask.data.fill(255, y * image.width + Math.max(0, x1), y * image.width + Math.min(image.width, x2));
      const openpose = {
        canvas_width: image.width, canvas_height: image.height,
        people: people.map((k) => ({ pose_keypoints_2d: cocoToOpenPose(k).flat() })),
      };
      return {
        'openpose.json': JSON.stringify(openpose), 'pose.png': await encodePng(pose), 'mask.png': await encodePng(mask), 'overlay.png': await encodePng(image),
      };
    }),
    detect: guarded('detect', async (image: RgbImage) => ({
      image: { width: image.width, height: image.height },
      people: [{ box: [10, 10, 60, 120] as Box, keypoints: fakeSkeleton([10, 10, 60, 120], [60, 60, 80, 80], 3, 0), score: 0.9 }],
      objects: [{ box: [60, 60, 80, 80] as Box, category: 'chair', score: 0.8 }],
    })),
    edit: async (o) => {
      o.onProgress?.(0.5, 'sampling');
      await new Promise((r) => setTimeout(r, 5));
      const data = Uint8Array.from(o.image.data, (v) => 255 - v);
      o.onProgress?.(1, 'done');
      return { edited: await encodePng({ ...o.image, data }) };
    },
  };
  return { deps, state };
}

/** A small RGB test image (a grey floor and a brown block), PNG-encoded. */
export async function testImagePng(width = 160, height = 120): Promise<Uint8Array<ArrayBuffer>> {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const block = x > 100 && x < 140 && y > 60 && y < 100;
      data[i] = block ? 140 : 90 + (y >> 2);
      data[i + 1] = block ? 90 : 100 + (y >> 2);
      data[i + 2] = block ? 50 : 120;
    }
  }
  return new Uint8Array(await encodePng({ data, width, height, channels: 3 }));
}
