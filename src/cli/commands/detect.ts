/** `pinplace detect --image IMG [--json] [--out DIR]`: people (box, COCO-17 keypoints) and objects (box, category). */
import { join } from 'node:path';
import type { CommandDef } from '../command.ts';
import { requireOption } from '../options.ts';
import { detect } from '../../h2h/detect-node.ts';
import { writeOutputs } from '../../io/atomic.ts';

export const detectCommand: CommandDef = {
  name: 'detect',
  summary: 'Detect people (box, COCO-17 keypoints) and objects (box, COCO category) in an image, offline',
  options(cmd) {
    cmd
      .option('--image <file>', 'image (PNG, JPEG or WebP)')
      .option('--out <dir>', 'also write DIR/detections.json');
  },
  async run(opts, io) {
    const image = requireOption(opts.image as string | undefined, '--image');
    const t0 = performance.now();
    const d = await detect(image);
    const ms = Math.round(performance.now() - t0);
    const result = { image: d.image, people: d.people, objects: d.objects, models: d.models, ms };
    if (opts.out !== undefined) {
      const out = requireOption(opts.out as string, '--out');
      await writeOutputs(out, { 'detections.json': JSON.stringify(result, null, 2) + '\n' });
      io.out(`wrote ${join(out, 'detections.json')}`);
    }
    io.out(`${d.people.length} ${d.people.length === 1 ? 'person' : 'people'}, ${d.objects.length} object${d.objects.length === 1 ? '' : 's'} in ${d.image.width}x${d.image.height} (${ms} ms)`);
    d.people.forEach((p, i) => io.out(`  person ${i}: box [${p.box.map(Math.round).join(',')}] score ${p.score.toFixed(2)}`));
    d.objects.forEach((o, i) => io.out(`  object ${i}: ${o.category} box [${o.box.map(Math.round).join(',')}] score ${o.score.toFixed(2)}`));
    return result;
  },
};
