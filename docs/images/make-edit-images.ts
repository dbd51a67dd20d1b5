/**
 * Makes the pictures of docs/editing.md with the project's own code: a drawn scene (a wall, a floor and a bench),
 * a hand-placed sitting skeleton, and the guidance files `pinplace edit` sends: pose.png, mask.png, masked.png,
 * overlay.png. Run: npx tsx docs/images/make-edit-images.ts
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePng, type RgbImage } from '../../src/io/image.ts';
import { drawOpenPoseMap } from '../../src/edit/openpose-map.ts';
import { maskedImage, personMask } from '../../src/edit/mask.ts';
import { drawOverlay } from '../../src/edit/overlay.ts';
import { rasterToPng } from '../../src/edit/png.ts';
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import { fileURLToPath } from 'node:url';

const W = 512;
const H = 384;
const DIR = fileURLToPath(new URL('.', import.meta.url));

function sceneImage(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  const put = (x: number, y: number, c: readonly number[]): void => { const o = (y * W + x) * 3; data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2]; };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (y < 250) put(x, y, [214 - y / 8, 205 - y / 8, 186 - y / 10]); // wall
      else put(x, y, [150 - (y - 250) / 4 + ((x >> 5) % 2) * 6, 112 - (y - 250) / 5, 82 - (y - 250) / 6]); // wooden floor
    }
  }
  const rect = (x1: number, y1: number, x2: number, y2: number, c: readonly number[]): void => {
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) put(x, y, c);
  };
  rect(300, 40, 420, 150, [120, 150, 170]); // a picture on the wall
  rect(306, 46, 414, 144, [170, 195, 205]);
  rect(150, 250, 420, 262, [70, 70, 78]); // skirting shadow under the bench
  rect(170, 232, 400, 248, [96, 62, 40]); // bench seat
  rect(180, 248, 192, 320, [80, 50, 32]); // legs
  rect(378, 248, 390, 320, [80, 50, 32]);
  rect(170, 168, 400, 180, [96, 62, 40]); // backrest
  rect(176, 180, 186, 232, [80, 50, 32]);
  rect(384, 180, 394, 232, [80, 50, 32]);
  return { data, width: W, height: H, channels: 3 };
}

/** A person sitting on the bench, facing the camera (COCO-17, pixels). */
const sitting: Keypoint[] = [
  [262, 118, 1], [255, 111, 1], [269, 111, 1], [247, 116, 1], [277, 116, 1],
  [236, 148, 1], [288, 148, 1], [226, 188, 1], [300, 186, 1], [240, 222, 1], [288, 222, 1],
  [246, 228, 1], [280, 228, 1], [238, 246, 1], [292, 246, 1], [236, 306, 1], [296, 306, 1],
].map(([x, y, c]): Keypoint => [x, y + 4, c]);

const skeleton: SkeletonFile = {
  image: { path: 'scene.png', width: W, height: H },
  person_box: [214, 96, 318, 318],
  object_box: [168, 166, 402, 322],
  category: 'bench',
  action: 'sit',
  samples: [{ keypoints: sitting }],
};

const image = sceneImage();
const mask = personMask(skeleton.person_box, W, H);
const files: Record<string, Uint8Array> = {
  'edit-scene.png': new Uint8Array(await encodePng(image)),
  'edit-overlay.png': await rasterToPng(drawOverlay(image, skeleton)),
  'edit-pose.png': await rasterToPng(drawOpenPoseMap([sitting], W, H)),
  'edit-mask.png': await rasterToPng(mask),
  'edit-masked.png': await rasterToPng(maskedImage(image, mask)),
};
for (const [name, bytes] of Object.entries(files)) await writeFile(join(DIR, name), bytes);
await writeFile(join(DIR, 'edit-skeleton.json'), JSON.stringify(skeleton, null, 2) + '\n');
console.log(`wrote ${Object.keys(files).join(', ')} and edit-skeleton.json in ${DIR}`);
