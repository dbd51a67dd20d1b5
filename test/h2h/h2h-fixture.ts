/**
 * A tiny human-to-human data set in the SPEC format for tests: the sample photo's person drawn on the left as the
 * partner, the new person (not drawn) on the right facing them with a hand on the partner's hand, `partner_id`
 * linking the two annotations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { sampleBodyJpeg } from './sample-images.ts';
import { flipKeypoints, J, type Keypoint } from '../../src/skeleton/topology.ts';

/** MoveNet's keypoints of the sample photo (1200x1200), rounded. */
export const SAMPLE_BODY_KEYPOINTS: Keypoint[] = [
  [559, 100, 0.78], [588, 86, 0.75], [549, 83, 0.59], [644, 110, 0.72], [562, 103, 0.8], [692, 215, 0.89],
  [504, 233, 0.85], [795, 369, 0.8], [421, 394, 0.88], [884, 506, 0.83], [285, 490, 0.79], [637, 553, 0.8],
  [531, 557, 0.69], [664, 832, 0.9], [549, 829, 0.87], [662, 1093, 0.92], [576, 1090, 0.76],
];

/** Write `n` scenes of `size` into `dir` (images/NNN.png + annotations.json). Returns the partner/person boxes of scene 0. */
export async function writeH2hFixture(dir: string, n = 3, size: [number, number] = [320, 240]): Promise<{ partnerBox: number[]; personBox: number[]; partner: Keypoint[] }> {
  mkdirSync(join(dir, 'images'), { recursive: true });
  const [W, H] = size;
  const images: unknown[] = [];
  const annotations: unknown[] = [];
  let first: { partnerBox: number[]; personBox: number[]; partner: Keypoint[] } | null = null;
  for (let i = 0; i < n; i++) {
    const side = Math.round(H * (0.8 + 0.05 * i));
    const left = 10 + 8 * i, top = Math.round((H - side) / 2);
    const s = side / 1200;
    const partner = SAMPLE_BODY_KEYPOINTS.map(([x, y]): Keypoint => [left + x * s, top + y * s, 2]);
    // the new person: the partner mirrored, moved right so that its right wrist meets the partner's left wrist
    const mirrored = flipKeypoints(partner.map(([x, y]): Keypoint => [x, y, 1]), W);
    const dx = partner[J.left_wrist][0] + 4 - mirrored[J.right_wrist][0];
    const person = mirrored.map(([x, y]): Keypoint => [x + dx, y, 2]);
    const bbox = (k: Keypoint[]) => {
      const xs = k.map((p) => p[0]), ys = k.map((p) => p[1]);
      return [Math.min(...xs) - 5, Math.min(...ys) - 10, Math.max(...xs) - Math.min(...xs) + 10, Math.max(...ys) - Math.min(...ys) + 15];
    };
    const pb = bbox(partner), nb = bbox(person);
    const partnerBox = [pb[0], pb[1], pb[0] + pb[2], pb[1] + pb[3]];
    const img = await sharp(sampleBodyJpeg()).resize(side, side).toBuffer();
    await sharp({ create: { width: W, height: H, channels: 3, background: '#6d7f8f' } })
      .composite([{ input: img, left, top }]).png().toFile(join(dir, 'images', `${String(i).padStart(3, '0')}.png`));
    images.push({ id: i + 1, file_name: `${String(i).padStart(3, '0')}.png`, width: W, height: H });
    annotations.push({
      id: 2 * i + 1, image_id: i + 1, category_id: 1, iscrowd: 0, bbox: nb, num_keypoints: 17,
      keypoints: person.flat(), obj_bbox: [partnerBox], class: [i % 2 ? 'high-five' : 'handshake'], obj_category: ['person'], partner_id: 2 * i + 2,
    });
    annotations.push({
      id: 2 * i + 2, image_id: i + 1, category_id: 1, iscrowd: 0, bbox: pb, num_keypoints: 17,
      keypoints: partner.flat(), obj_bbox: [], class: [], partner_id: 2 * i + 1,
    });
    if (!first) first = { partnerBox, personBox: [nb[0], nb[1], nb[0] + nb[2], nb[1] + nb[3]], partner: partner.map(([x, y]): Keypoint => [x, y, 0.9]) };
  }
  writeFileSync(join(dir, 'annotations.json'), JSON.stringify({ images, annotations, categories: [{ id: 1, name: 'person' }] }));
  return first!;
}
