/**
 * `fit()`: a skeleton.json sample (and, for human-to-human files, the partner) -> fitted SMPL-style bodies as the
 * SPEC body.json objects, one GLB with every body (skinned, posed) and an OBJ. Library form of `pinplace fit`.
 * Runs in Node and in the browser (the model is passed in, or loaded from disk in Node / from a URL in a browser).
 */
import * as tf from '@tensorflow/tfjs';
import { type BodyFile, type SkeletonFile, parseSkeletonFile } from '../data/formats.ts';
import { FormatError, UsageError } from '../errors.ts';
import { type BodyModel, loadBodyModel } from './body-model.ts';
import { BODY_MODEL_NAME } from './constants.ts';
import { defaultCamera, fitPersonLm } from './fitter.ts';
import { fitPeopleGradient } from './gradient-solver.ts';
import { type GltfBody, writeGlb, writeObj } from './gltf-export.ts';
import type { JointModel } from './joint-model.ts';
import { lbs } from './lbs.ts';
import type { Camera, FitTarget, FittedBody, SolverName } from './types.ts';

export interface FitOptions {
  skeleton: SkeletonFile;
  /** Sample index (default 0). */
  sample?: number;
  /** Focal length in pixels (default sqrt(W^2 + H^2) of the image). */
  focal?: number;
  /** Also fit the partner of an h2h skeleton file, with the same camera. */
  partner?: boolean;
  /** Body model (default: the shipped model). */
  model?: BodyModel;
  /** Solver (default auto: see resolveSolver). */
  solver?: SolverName;
}

export interface FitResult {
  body: BodyFile;
  /** Every fitted body (the partner second when asked). */
  bodies: BodyFile[];
  glb: Uint8Array;
  obj: string;
}

const IS_NODE = typeof process !== 'undefined' && !!process.versions?.node;

/** URL the browser fetches the shipped model from (set before the first fit if the viewer serves it elsewhere). */
export let bodyModelUrl = '/assets/body-model/pinplace-body.npz';
export function setBodyModelUrl(url: string): void {
  bodyModelUrl = url;
}

let _model: Promise<BodyModel> | null = null;
/** The shipped body model (loaded once). */
export function defaultBodyModel(): Promise<BodyModel> {
  _model ??= (async () => {
    if (IS_NODE) {
      const node = './body-model-node.ts';
      const mod = (await import(/* @vite-ignore */ node)) as typeof import('./body-model-node.ts');
      return mod.loadBodyModelFile();
    }
    const res = await fetch(bodyModelUrl);
    if (!res.ok) throw new FormatError(`cannot fetch the body model from ${bodyModelUrl} (HTTP ${res.status})`);
    return loadBodyModel(new Uint8Array(await res.arrayBuffer()), bodyModelUrl);
  })();
  _model.catch(() => { _model = null; });
  return _model;
}

async function ensureBackend(): Promise<string> {
  if (IS_NODE) {
    const be = './../backend.ts';
    const mod = (await import(/* @vite-ignore */ be)) as typeof import('../backend.ts');
    return (await mod.initBackend()).backend;
  }
  await tf.ready();
  return tf.getBackend();
}

/**
 * Pick the solver: `auto` is Levenberg-Marquardt on every backend; the batched gradient solver runs when asked.
 * Measured (scripts/gpu-check.ts): on an NVIDIA H200 through WebGPU (Dawn in Node) the gradient solver took 113 ms a
 * person for 64 people and 37 ms for 256, Levenberg-Marquardt 5.6 ms a person on that machine's CPU; in a browser on
 * software WebGL it took seconds where LM took 0.29 s. Each person is a small problem (about 80 unknowns), so the
 * GPU's per-step dispatch cost outweighs its arithmetic.
 */
export function resolveSolver(solver: SolverName | undefined): 'lm' | 'gradient' {
  return solver === 'gradient' ? 'gradient' : 'lm';
}

/**
 * Fit many people in one call. `lm` fits them one after another on the CPU; `gradient` runs them as one batch on the
 * tfjs backend. Returns the fitted bodies and the milliseconds spent per person.
 */
export async function fitPeople(targets: FitTarget[], o: { model?: JointModel; solver?: SolverName } = {}): Promise<Array<{ fit: FittedBody; ms: number }>> {
  if (resolveSolver(o.solver) === 'gradient') {
    const t0 = performance.now();
    const fits = await fitPeopleGradient(targets, { model: o.model });
    const ms = (performance.now() - t0) / Math.max(1, targets.length);
    return fits.map((fit) => ({ fit, ms }));
  }
  return targets.map((t) => {
    const t0 = performance.now();
    const fit = fitPersonLm(t, { model: o.model });
    return { fit, ms: performance.now() - t0 };
  });
}

const r6 = (v: number) => Math.round(v * 1e6) / 1e6;
const r3 = (v: number) => Math.round(v * 1e3) / 1e3;

/** A FittedBody as the SPEC body.json object. */
export function toBodyFile(f: FittedBody, ms: number, modelName: string, extra: Record<string, unknown> = {}): BodyFile {
  return {
    model: modelName,
    betas: Array.from(f.betas, r6),
    pose: Array.from({ length: 24 }, (_, j) => [r6(f.pose[j * 3]), r6(f.pose[j * 3 + 1]), r6(f.pose[j * 3 + 2])] as [number, number, number]),
    translation: [r6(f.translation[0]), r6(f.translation[1]), r6(f.translation[2])],
    camera: { focal: r3(f.camera.focal), cx: r3(f.camera.cx), cy: r3(f.camera.cy) },
    joints2d: f.joints2d.map(([x, y]) => [r3(x), r3(y)] as [number, number]),
    joints3d: f.joints3d.map(([x, y, z]) => [r6(x), r6(y), r6(z)] as [number, number, number]),
    reprojection_error_px: {
      mean: r3(f.reprojectionErrorPx.mean), median: r3(f.reprojectionErrorPx.median), max: r3(f.reprojectionErrorPx.max),
    },
    iterations: f.iterations,
    ms: Math.round(ms * 10) / 10,
    ...extra,
  };
}

/** body.json text: indented, with each innermost array of numbers on one line. */
export function bodyJsonText(body: BodyFile): string {
  return JSON.stringify(body, null, 1).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_m, inner: string) => `[${inner.replace(/\s+/g, '')}]`) + '\n';
}

/** Posed vertices [N][V*3] (camera frame) of fitted bodies, through lbs(). */
export async function posedVertices(model: BodyModel, fits: Array<{ betas: ArrayLike<number>; pose: ArrayLike<number>; translation: ArrayLike<number> }>): Promise<Float32Array[]> {
  const N = fits.length;
  const B = model.numBetas;
  const t = model.lbsTensors();
  const betas = tf.tensor2d(fits.flatMap((f) => Array.from({ length: B }, (_, k) => f.betas[k] ?? 0)), [N, B]);
  const pose = tf.tensor2d(fits.flatMap((f) => Array.from(f.pose)), [N, 72]);
  const trans = tf.tensor2d(fits.flatMap((f) => Array.from(f.translation)), [N, 3]);
  const { vertices, joints } = lbs(betas, pose, trans, t);
  const data = (await vertices.data()) as Float32Array;
  tf.dispose([betas, pose, trans, vertices, joints]);
  const V = model.numVertices;
  return Array.from({ length: N }, (_, i) => data.slice(i * V * 3, (i + 1) * V * 3));
}

/** The GLB and OBJ of fitted bodies. */
export async function bodyMeshFiles(model: BodyModel, fits: Array<{ name: string; betas: ArrayLike<number>; pose: ArrayLike<number>; translation: ArrayLike<number> }>): Promise<{ glb: Uint8Array; obj: string }> {
  const infl = model.topInfluences();
  const gl: GltfBody[] = fits.map((f) => ({
    name: f.name,
    restVertices: model.shapedVertices(f.betas),
    faces: model.faces,
    restJoints: model.restJoints(f.betas),
    parents: model.parents,
    joints: infl.joints,
    weights: infl.weights,
    pose: f.pose,
    translation: f.translation,
  }));
  const posed = await posedVertices(model, fits);
  return {
    glb: writeGlb(gl),
    obj: writeObj(fits.map((f, i) => ({ name: f.name, positions: posed[i], faces: model.faces }))),
  };
}

/** Fit sample `sample` of a skeleton file (and its partner when asked). */
export async function fit(o: FitOptions): Promise<FitResult> {
  const skel = parseSkeletonFile(o.skeleton);
  const sample = o.sample ?? 0;
  if (!Number.isInteger(sample) || sample < 0 || sample >= skel.samples.length) {
    throw new UsageError(`--sample must be an integer in [0, ${skel.samples.length - 1}], got ${sample}`);
  }
  if (o.focal !== undefined && !(Number.isFinite(o.focal) && o.focal > 0)) {
    throw new UsageError(`--focal must be a positive number of pixels, got ${o.focal}`);
  }
  if (o.partner && !skel.partner) {
    throw new UsageError('--partner needs a skeleton file with a "partner" (as written by pinplace h2h)');
  }
  const camera: Camera = defaultCamera(skel.image.width, skel.image.height, o.focal);
  const boxH = (b: number[]) => b[3] - b[1];
  const targets: FitTarget[] = [{ keypoints: skel.samples[sample].keypoints, camera, boxHeight: boxH(skel.person_box) }];
  if (o.partner && skel.partner) targets.push({ keypoints: skel.partner.keypoints, camera, boxHeight: boxH(skel.partner.box) });
  const [model, backend] = await Promise.all([o.model ?? defaultBodyModel(), ensureBackend()]);
  const solver = resolveSolver(o.solver);
  const fits = await fitPeople(targets, { model: model.jointModel(), solver });
  const names = ['body', 'partner'];
  const modelName = model.name || BODY_MODEL_NAME;
  const bodies = fits.map(({ fit: f, ms }, i) => toBodyFile(f, ms, modelName, { solver, backend, ...(i === 0 ? { sample } : { person: 'partner' }) }));
  const { glb, obj } = await bodyMeshFiles(model, fits.map(({ fit: f }, i) => ({ name: names[i], betas: f.betas, pose: f.pose, translation: f.translation })));
  return { body: bodies[0], bodies, glb, obj };
}
