/**
 * Writes the project's procedural SMPL-style body model to assets/body-model/pinplace-body.npz
 * (`npx tsx scripts/build-body-model.ts [--step METRES]`). Deterministic: the same code writes the same file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BodyModel } from '../src/mesh/body-model.ts';
import { DEFAULT_BODY_MODEL_PATH } from '../src/mesh/body-model-node.ts';
import { buildBodyModel } from '../src/mesh/build/build-body-model.ts';
import { BODY_MODEL_NAME } from '../src/mesh/constants.ts';

const stepArg = process.argv.indexOf('--step');
const step = stepArg > 0 ? Number(process.argv[stepArg + 1]) : 0.016;
const t0 = performance.now();
const a = buildBodyModel(step);
const model = new BodyModel({
  name: BODY_MODEL_NAME,
  vTemplate: a.v_template,
  shapedirs: a.shapedirs,
  jRegressor: a.J_regressor,
  weights: a.weights,
  parents: Int32Array.from(a.kintree_table.subarray(0, 24)),
  faces: a.f,
  posedirs: null,
  cocoFaceRegressor: a.coco_face_regressor,
  cocoJointMap: a.coco_joint_map,
  numVertices: a.numVertices,
  numBetas: a.numBetas,
});
const bytes = model.toNpz();
await mkdir(dirname(DEFAULT_BODY_MODEL_PATH), { recursive: true });
await writeFile(DEFAULT_BODY_MODEL_PATH, bytes);
console.log(`${BODY_MODEL_NAME}: ${a.numVertices} vertices, ${a.f.length / 3} faces, ${a.numBetas} betas, ` +
  `${(bytes.length / 1e6).toFixed(2)} MB -> ${DEFAULT_BODY_MODEL_PATH} (${Math.round(performance.now() - t0)} ms)`);
