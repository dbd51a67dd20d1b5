/**
 * Renders docs/images/fitted-mesh.png: the bundled sample scene with its reference skeleton (left) and the body
 * fitted to that skeleton drawn over the scene by the project's software rasteriser (right).
 * `npx tsx scripts/render-fitted-mesh.ts [--out FILE]`
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImage, encodePng } from '../src/io/image.ts';
import { fit, posedVertices } from '../src/mesh/fit.ts';
import { loadBodyModelFile } from '../src/mesh/body-model-node.ts';
import { renderMeshes } from '../src/mesh/render-mesh.ts';
import { SKELETON_EDGES, type Keypoint } from '../src/skeleton/topology.ts';
import type { SkeletonFile } from '../src/data/formats.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const outArg = process.argv.indexOf('--out');
const out = outArg > 0 ? process.argv[outArg + 1] : join(root, 'docs/images/fitted-mesh.png');
const scene = JSON.parse(await readFile(join(root, 'assets/sample/scene.json'), 'utf8'));
const image = await readImage(join(root, 'assets/sample', scene.image));
const keypoints: Keypoint[] = scene.reference_keypoints.map((k: number[]) => [k[0], k[1], k[2] > 0 ? 1 : 0]);
const skel: SkeletonFile = {
  image: { path: scene.image, width: image.width, height: image.height }, person_box: scene.person_box, samples: [{ keypoints }],
};
const model = await loadBodyModelFile();
const r = await fit({ skeleton: skel, model });
const b = r.body;
const [verts] = await posedVertices(model, [{ betas: b.betas, pose: b.pose.flat(), translation: b.translation }]);
const W = image.width, H = image.height;
const right = renderMeshes([{ positions: verts, faces: model.faces }], b.camera, W, H, { background: image.data, alpha: 0.92 });
// left: the scene with the input skeleton
const left = Uint8Array.from(image.data);
const dot = (x: number, y: number, rad: number, c: number[]) => {
  for (let dy = -rad; dy <= rad; dy++) for (let dx = -rad; dx <= rad; dx++) {
    const px = Math.round(x + dx), py = Math.round(y + dy);
    if (dx * dx + dy * dy > rad * rad || px < 0 || py < 0 || px >= W || py >= H) continue;
    left.set(c, (py * W + px) * 3);
  }
};
for (const [a, c] of SKELETON_EDGES) {
  const n = 40;
  for (let i = 0; i <= n; i++) dot(keypoints[a][0] + ((keypoints[c][0] - keypoints[a][0]) * i) / n, keypoints[a][1] + ((keypoints[c][1] - keypoints[a][1]) * i) / n, 1.5, [255, 220, 40]);
}
for (const k of keypoints) dot(k[0], k[1], 3.5, [230, 40, 40]);
// the fitted joints, projected, on the right panel
const rightImg = Uint8Array.from(right);
for (const [x, y] of b.joints2d) {
  for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
    const px = Math.round(x + dx), py = Math.round(y + dy);
    if (px >= 0 && py >= 0 && px < W && py < H) rightImg.set([40, 90, 230], (py * W + px) * 3);
  }
}
const gap = 8;
const both = new Uint8Array((2 * W + gap) * H * 3).fill(255);
for (let y = 0; y < H; y++) {
  both.set(left.subarray(y * W * 3, (y + 1) * W * 3), y * (2 * W + gap) * 3);
  both.set(rightImg.subarray(y * W * 3, (y + 1) * W * 3), (y * (2 * W + gap) + W + gap) * 3);
}
await mkdir(dirname(out), { recursive: true });
await writeFile(out, await encodePng({ data: both, width: 2 * W + gap, height: H, channels: 3 } as Parameters<typeof encodePng>[0]));
console.log(`fitted mesh: reprojection error median ${b.reprojection_error_px.median} px, ${b.iterations} iterations -> ${out}`);
