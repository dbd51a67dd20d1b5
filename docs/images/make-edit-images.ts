/**
 * Makes the pictures of docs/editing.md with the project's own code: the bundled sample scene (assets/sample) with
 * its reference sitting pose, and the guidance files `pinplace edit` sends: pose.png, mask.png, masked.png,
 * overlay.png. Run: npx tsx docs/images/make-edit-images.ts
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readImage } from '../../src/io/image.ts';
import { drawOpenPoseMap } from '../../src/edit/openpose-map.ts';
import { maskedImage, personMask } from '../../src/edit/mask.ts';
import { drawOverlay } from '../../src/edit/overlay.ts';
import { rasterToPng } from '../../src/edit/png.ts';
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import type { Box } from '../../src/skeleton/calculators/box.ts';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const SAMPLE = join(DIR, '..', '..', 'assets', 'sample');

/** The bundled sample scene with its reference sitting pose (COCO visibility 2 -> confidence 1). */
const spec = JSON.parse(await readFile(join(SAMPLE, 'scene.json'), 'utf8')) as {
  image: string; person_box: Box; object_box: Box; category: string; action: string; reference_keypoints: number[][];
};
const image = await readImage(join(SAMPLE, spec.image));
const W = image.width;
const H = image.height;
const sitting = spec.reference_keypoints.map(([x, y, v]): Keypoint => [x, y, v > 0 ? 1 : 0]);
const skeleton: SkeletonFile = {
  image: { path: spec.image, width: W, height: H },
  person_box: spec.person_box,
  object_box: spec.object_box,
  category: spec.category,
  action: spec.action,
  samples: [{ keypoints: sitting }],
};

const mask = personMask(skeleton.person_box, W, H);
const files: Record<string, Uint8Array> = {
  'edit-overlay.png': await rasterToPng(drawOverlay(image, skeleton)),
  'edit-pose.png': await rasterToPng(drawOpenPoseMap([sitting], W, H)),
  'edit-mask.png': await rasterToPng(mask),
  'edit-masked.png': await rasterToPng(maskedImage(image, mask)),
};
for (const [name, bytes] of Object.entries(files)) await writeFile(join(DIR, name), bytes);
await writeFile(join(DIR, 'edit-skeleton.json'), JSON.stringify(skeleton, null, 2) + '\n');
console.log(`wrote ${Object.keys(files).join(', ')} and edit-skeleton.json in ${DIR}`);
