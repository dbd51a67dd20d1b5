/**
 * Regenerates the bundled sample scene, assets/sample/scene.png (512x512, no person) and assets/sample/scene.json,
 * with the synthetic scene generator: a seated-on-a-bench interaction seen from the front, rendered at 2x and
 * box-filtered down for smooth edges. The person box is where the erased person sat.
 *
 *   npx tsx scripts/make-sample-scene.ts [--template sit/bench] [--seed 7]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { HOI_TEMPLATES } from '../src/data/hoi-templates.ts';
import { renderInteraction, MAX_CONTACT_ERROR } from '../src/data/scene.ts';
import { Rng } from '../src/data/rng.ts';
import type { SynthSample } from '../src/data/types.ts';

const SIZE = 512;
const SS = 2; // supersampling factor

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A framing worth showing: front-ish view, the person fully inside, object and person of a good size. */
function good(s: SynthSample): boolean {
  const p = s.people[0];
  const [x1, y1, x2, y2] = p.box;
  const [ox1, , ox2] = p.objects[0].box;
  const inside = x1 > 0.06 * s.width && y1 > 0.04 * s.height && x2 < 0.94 * s.width && y2 < 0.96 * s.height;
  const tall = (y2 - y1) / s.height;
  const wideObject = (ox2 - ox1) / s.width;
  // frontal: the left shoulder (5) is to the image right of the right shoulder (6), clearly apart
  const front = p.keypoints[5][0] - p.keypoints[6][0] > 0.04 * s.width;
  // the horizon in the upper third: sky at the top, ground below
  const px = (x: number, y: number) => { const o = (Math.floor(y) * s.width + Math.floor(x)) * 3; return [s.rgb[o], s.rgb[o + 1], s.rgb[o + 2]]; };
  const sky = px(s.width * 0.1, s.height * 0.08), sky2 = px(s.width * 0.9, s.height * 0.15);
  const blue = (c: number[]) => c[2] > c[0] + 25 && c[2] > c[1];
  return blue(sky) && blue(sky2) && inside && tall > 0.35 && tall < 0.7 && wideObject > 0.35 && front && p.keypoints.every((k) => k[2] > 0);
}

async function main(): Promise<void> {
  const name = arg('--template', 'sit/bench');
  const template = HOI_TEMPLATES.find((t) => `${t.action}/${t.category}` === name);
  if (!template) throw new Error(`unknown template ${name}; known: ${HOI_TEMPLATES.map((t) => `${t.action}/${t.category}`).join(', ')}`);
  let seed = Number(arg('--seed', '1'));
  let sample: SynthSample | null = null;
  for (let tries = 0; tries < 500 && !sample; tries++, seed++) {
    const rng = new Rng(seed);
    const inter = template.build(rng);
    if (inter.ikError > MAX_CONTACT_ERROR || !inter.settings.includes('park')) continue;
    const s = renderInteraction({ ...inter, settings: ['park'] }, rng, { index: 0, width: SIZE * SS, height: SIZE * SS, scenery: false });
    if (s && good(s)) sample = s;
  }
  if (!sample) throw new Error(`no good framing of ${name} found`);
  const png = await sharp(Buffer.from(sample.rgb), { raw: { width: SIZE * SS, height: SIZE * SS, channels: 3 } })
    .resize(SIZE, SIZE, { kernel: 'cubic' }).png({ compressionLevel: 9 }).toBuffer();
  const p = sample.people[0];
  const r = (v: number) => Math.round((v / SS) * 10) / 10;
  const scene = {
    image: 'scene.png',
    person_box: p.box.map(r),
    object_box: p.objects[0].box.map(r),
    category: p.objects[0].category,
    action: p.objects[0].action,
    /** Where the generator posed the erased person (COCO-17, pixels; v = COCO visibility), for reference. */
    reference_keypoints: p.keypoints.map(([x, y, v]) => [r(x), r(y), v]),
    generator: { template: name, seed: seed - 1, setting: sample.template.setting },
  };
  const dir = join(import.meta.dirname, '..', 'assets', 'sample');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'scene.png'), png);
  await writeFile(join(dir, 'scene.json'), JSON.stringify(scene, null, 2) + '\n');
  console.log(`wrote ${join(dir, 'scene.png')} and scene.json (${name}, seed ${seed - 1})`);
}

await main();
