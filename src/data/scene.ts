/**
 * One synthetic sample: pick an interaction template, build it (pose + object + IK), choose a setting and a random
 * camera, render the scene WITHOUT the person (background, object, furniture, and the partner in h2h scenes), and
 * annotate the person: projected COCO-17 joints with visibility, the tight person box, the object box, action,
 * category. A pure function of (seed, index, kind, size).
 */
import { drawBackground, type Setting } from './background.ts';
import { PLAIN_LOOK, figureShape, randomLook } from './figure.ts';
import { lookAt, project, toCamera, type Camera } from './camera.ts';
import { pose, type Posed } from './body.ts';
import { HOI_TEMPLATES } from './hoi-templates.ts';
import { H2H_TEMPLATES } from './h2h-templates.ts';
import { LAYER, Raster } from './raster.ts';
import { renderShape, type Light } from './render.ts';
import { Rng, hashSeed } from './rng.ts';
import type { Shape } from './shape.ts';
import * as O from './objects.ts';
import { place } from './placement.ts';
import { rotY } from './vec.ts';
import type { Interaction, InteractionTemplate, SynthPerson, SynthSample } from './types.ts';
import { normalize, type Vec3 } from './vec.ts';
import type { Box } from '../skeleton/calculators/box.ts';

export type SynthKind = 'hoi' | 'h2h';

/** Largest contact distance accepted after IK (metres). */
export const MAX_CONTACT_ERROR = 0.03;
/** A scene is redrawn (new template draw, camera) at most this many times before giving up. */
const MAX_ATTEMPTS = 40;

export interface SceneOptions {
  seed: number;
  index: number;
  kind: SynthKind;
  width: number;
  height: number;
  /** Restrict to these templates (tests, previews). */
  templates?: readonly InteractionTemplate[];
}

/** Every template of a kind. */
export function templatesOf(kind: SynthKind): readonly InteractionTemplate[] {
  return kind === 'hoi' ? HOI_TEMPLATES : H2H_TEMPLATES;
}

/** Build, render and annotate sample `index` of the set with `seed`. */
export function synthSample(o: SceneOptions): SynthSample {
  const templates = o.templates ?? templatesOf(o.kind);
  const root = new Rng(hashSeed(o.seed, o.index, o.kind === 'hoi' ? 1 : 2));
  // balanced: each block of N consecutive indices covers the N templates once, in a seeded order
  const n = templates.length;
  const block = Math.floor(o.index / n);
  const order = shuffled(n, new Rng(hashSeed(o.seed, block, 77)));
  const first = order[o.index % n];
  // the drawn template first; should it never frame well at this image size, the next ones
  for (let k = 0; k < n; k++) {
    const template = templates[(first + k) % n];
    const attempts = k === 0 ? MAX_ATTEMPTS : 10;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const rng = root.fork(k * 1000 + attempt);
      const inter = template.build(rng);
      if (inter.ikError > MAX_CONTACT_ERROR) continue;
      const s = renderInteraction(inter, rng, o);
      if (s) return s;
    }
  }
  throw new Error(`synthSample(): could not make sample ${o.index} at ${o.width}x${o.height} with any template`);
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Render an interaction with a random setting and camera; null when the framing is unusable. */
export function renderInteraction(
  inter: Interaction, rng: Rng, o: { index: number; width: number; height: number; /** Scenery objects around (default true). */ scenery?: boolean },
  /** Filled with the raster and camera used (tests, debugging). */
  keep?: { raster?: Raster; camera?: Camera },
): SynthSample | null {
  const W = o.width, H = o.height;
  const posed = inter.bodies.map((b) => pose(b));
  // points that must be framed: the person, the object, the partner
  const pts: Vec3[] = [];
  for (const p of posed) for (let j = 0; j < 24; j++) pts.push([p.smpl[j * 3], p.smpl[j * 3 + 1], p.smpl[j * 3 + 2]]);
  if (inter.object) {
    const bb = inter.object.shape.bounds();
    pts.push(bb.min, bb.max, [bb.min[0], bb.max[1], bb.min[2]], [bb.max[0], bb.min[1], bb.max[2]]);
  }
  const cam = chooseCamera(rng, pts, W, H);
  const setting: Setting = rng.pick(inter.settings);
  const raster = new Raster(W, H, keep ? undefined : _scratch);
  if (keep) Object.assign(keep, { raster, camera: cam });
  else _scratch = raster;
  const centre = boundsCentre(pts);
  drawBackground(raster, cam, { setting, seed: rng.nextU32() }, centre);
  const light: Light = {
    dir: normalize([rng.uniform(-0.8, 0.8), -rng.uniform(0.4, 1), -rng.uniform(0.2, 0.9)]),
    ambient: rng.uniform(0.35, 0.55),
  };
  const shadow = rng.uniform(0.2, 0.4);
  // contact shadows on the ground, then the scene
  const drawnShapes: Array<[Shape, number]> = [];
  if (inter.object) drawnShapes.push([inter.object.shape, LAYER.object]);
  for (const f of inter.furniture) drawnShapes.push([f, LAYER.furniture]);
  for (let i = 1; i < inter.bodies.length; i++) drawnShapes.push([figureShape(posed[i], randomLook(rng)), LAYER.partner]);
  if (o.scenery !== false) for (const d of distractors(rng, setting, pts, cam)) drawnShapes.push([d, LAYER.furniture]);
  for (const [s] of drawnShapes) groundShadow(raster, cam, s, shadow);
  for (const [s, layer] of drawnShapes) renderShape(raster, cam, s, light, layer);

  // annotations
  const people: SynthPerson[] = [];
  for (let i = 0; i < inter.bodies.length; i++) {
    const drawn = i > 0;
    const person = annotatePerson(raster, cam, posed[i], drawn);
    if (!person) return null;
    people.push(person);
  }
  const main = people[0];
  if (main.keypoints.filter((k) => k[2] > 0).length < 10) return null;
  const bw = main.box[2] - main.box[0], bh = main.box[3] - main.box[1];
  if (Math.max(bw, bh) < 0.15 * Math.min(W, H) || Math.min(bw, bh) < 6) return null;
  let objectBox: Box | null;
  if (inter.object) {
    const st = raster.layerStats(LAYER.object);
    if (st.area < Math.max(6, 0.00015 * W * H)) return null;
    objectBox = st.box;
  } else {
    objectBox = people[1] ? people[1].box : null;
    if (!objectBox) return null;
  }
  main.objects.push({ box: objectBox, action: inter.action, category: inter.category });
  if (people.length > 1) {
    main.partner = 1;
    people[1].partner = 0;
  }
  return {
    index: o.index, width: W, height: H, rgb: raster.rgb, people,
    template: { action: inter.action, category: inter.category, setting },
    camera: { focal: cam.focal, cx: cam.cx, cy: cam.cy },
  };
}

/** The last raster, whose depth/layer buffers the next one reuses. */
let _scratch: Raster | undefined;

/** Ground objects that may stand around in a setting (scenery, not annotated). */
const DISTRACTORS: Partial<Record<Setting, ReadonlyArray<(rng: Rng) => O.ObjectModel>>> = {
  park: [O.bench, O.bicycle, O.sportsBall, O.chair], street: [O.bicycle, O.bench, O.suitcase, O.motorcycle],
  indoor: [O.chair, O.suitcase, O.couch], bedroom: [O.chair, O.suitcase], field: [O.sportsBall, O.bench],
  court: [O.sportsBall, O.bench], beach: [O.sportsBall, O.umbrella],
};

/** 0-2 scenery objects on the ground 1.2-4.5 m beyond the scene's extent, clear of it and not nearer the camera. */
function distractors(rng: Rng, setting: Setting, pts: Vec3[], cam: Camera): Shape[] {
  const makers = DISTRACTORS[setting];
  if (!makers || !rng.chance(0.45)) return [];
  const c = boundsCentre(pts);
  let rho = 0;
  for (const p of pts) rho = Math.max(rho, Math.hypot(p[0] - c[0], p[2] - c[2]));
  const out: Shape[] = [];
  const n = rng.int(1, 2);
  for (let i = 0; i < n; i++) {
    const m = rng.pick(makers)(rng);
    const ang = rng.uniform(0, 2 * Math.PI), d = rho + rng.uniform(1.2, 4.5);
    const at: Vec3 = [c[0] + d * Math.sin(ang), 0, c[2] + d * Math.cos(ang)];
    if (Math.hypot(at[0] - cam.C[0], at[2] - cam.C[2]) < Math.hypot(c[0] - cam.C[0], c[2] - cam.C[2])) continue;
    const y = m.category === 'sports ball' ? m.dims.radius : m.category === 'umbrella' ? 0.05 : 0;
    out.push(place(m, rotY(rng.uniform(0, 2 * Math.PI)), [at[0], y, at[2]]).shape);
  }
  return out;
}

function boundsCentre(pts: Vec3[]): Vec3 {
  const lo: Vec3 = [Infinity, Infinity, Infinity], hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const p of pts) for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a], p[a]); hi[a] = Math.max(hi[a], p[a]); }
  return [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
}

/** A random camera that frames `pts`: mostly frontal or side views, eye height above the floor, varied zoom. */
export function chooseCamera(rng: Rng, pts: Vec3[], W: number, H: number): Camera {
  const c = boundsCentre(pts);
  let rho = 0.4;
  for (const p of pts) rho = Math.max(rho, Math.hypot(p[0] - c[0], p[1] - c[1], p[2] - c[2]));
  const u = rng.next();
  const yaw = u < 0.55 ? rng.gauss(0.6) : u < 0.9 ? (rng.chance(0.5) ? 1 : -1) * rng.uniform(1.0, 2.0) : Math.PI + rng.gauss(0.5);
  const elev = rng.uniform(-0.08, 0.5);
  const side = Math.min(W, H);
  const focal = side * rng.uniform(0.85, 1.6);
  const frac = rng.uniform(0.4, 0.95);
  const dist = Math.max(rho + 0.8, (focal * rho) / (frac * side / 2));
  const eye: Vec3 = [c[0] + dist * Math.sin(yaw) * Math.cos(elev), c[1] + dist * Math.sin(elev), c[2] + dist * Math.cos(yaw) * Math.cos(elev)];
  if (eye[1] < 0.3) eye[1] = 0.3;
  const shift = (1 - frac) * 0.8;
  const target: Vec3 = [c[0] + rng.gauss(shift * rho * 0.5), c[1] + rng.gauss(shift * rho * 0.5), c[2] + rng.gauss(shift * rho * 0.5)];
  return lookAt(eye, target, focal, W, H, rng.gauss(0.03));
}

/** Darken the ground under a shape (a soft-edged ellipse of its footprint) when it is near the ground. */
function groundShadow(r: Raster, cam: Camera, s: Shape, amount: number): void {
  const b = s.bounds();
  if (b.min[1] > 0.6) return;
  const cx = (b.min[0] + b.max[0]) / 2, cz = (b.min[2] + b.max[2]) / 2;
  const rx = (b.max[0] - b.min[0]) / 2 + 0.05, rz = (b.max[2] - b.min[2]) / 2 + 0.05;
  for (const [k, a] of [[1.15, amount * 0.5], [0.9, amount * 0.6]]) {
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = (2 * Math.PI * i) / 20;
      const q = project(cam, [cx + k * rx * Math.cos(t), 0.001, cz + k * rz * Math.sin(t)]);
      if (q[2] <= 0.05) return;
      xs.push(q[0]); ys.push(q[1]);
    }
    r.shadePolygon(xs, ys, a);
  }
}

/** Project a body: COCO-17 keypoints with COCO visibility, the tight box of its figure, camera-frame joints. */
function annotatePerson(r: Raster, cam: Camera, p: Posed, drawn: boolean): SynthPerson | null {
  const W = r.width, H = r.height;
  const keypoints: Array<[number, number, number]> = [];
  const joints3d: Vec3[] = [];
  for (let k = 0; k < 17; k++) {
    const w: Vec3 = [p.coco[k * 3], p.coco[k * 3 + 1], p.coco[k * 3 + 2]];
    const [px, py, z] = project(cam, w);
    joints3d.push(toCamera(cam, w).map((v) => Math.round(v * 1000) / 1000) as Vec3);
    // the annotated (rounded) point decides both "inside the image" and the pixel tested for occlusion
    const x = round2(px), y = round2(py);
    if (z <= 0.05 || x < 0 || y < 0 || x >= W || y >= H) {
      keypoints.push([0, 0, 0]);
      continue;
    }
    const i = Math.floor(y) * W + Math.floor(x);
    // hidden when something drawn lies in front (a drawn figure's own surface sits ~a limb radius in front)
    const margin = drawn ? 0.15 : 0.02;
    const hidden = r.layer[i] !== LAYER.background && r.depth[i] < z - margin;
    keypoints.push([x, y, hidden ? 1 : 2]);
  }
  // tight box from the body's volume
  const fig = figureShape(p, PLAIN_LOOK);
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const c of fig.caps) {
    for (const [q, rad] of [[c.a, c.ra], [c.b, c.rb]] as const) {
      const [x, y, z] = project(cam, q);
      if (z <= 0.05) return null;
      const rp = (cam.focal * rad) / z;
      x1 = Math.min(x1, x - rp); y1 = Math.min(y1, y - rp); x2 = Math.max(x2, x + rp); y2 = Math.max(y2, y + rp);
    }
  }
  const box: Box = [round2(Math.max(0, x1)), round2(Math.max(0, y1)), round2(Math.min(W, x2)), round2(Math.min(H, y2))];
  if (box[2] - box[0] < 2 || box[3] - box[1] < 2) return null;
  return { keypoints, box, objects: [], drawn, joints3d };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
