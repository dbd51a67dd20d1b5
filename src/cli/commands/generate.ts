/** `pinplace generate`: object-interactive skeletons for a person placed in a box, plus the guidance files. */
import { resolve } from 'node:path';
import type { CommandDef } from '../command.ts';
import { collect, parseChoiceFlag, parseIntFlag, requireOption, parseSeed } from '../options.ts';
import { UsageError } from '../../errors.ts';
import { readImage } from '../../io/image.ts';
import { writeOutputs } from '../../io/atomic.ts';
import { parseBox, type Box } from '../../skeleton/calculators/box.ts';
import { generate, MAX_SAMPLES } from '../../skeleton/generate.ts';
import { HANDS } from '../../skeleton/calculators/hand.ts';
import { guidanceFiles } from '../../edit/guidance.ts';

/** "--pin j:x,y" -> { joint, x, y }. */
export function parsePin(value: string): { joint: number; x: number; y: number } {
  const m = /^\s*(\d+)\s*:\s*([^,]+),([^,]+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--pin must be j:x,y (joint index 0-16 and image pixels), got "${value}"`);
  const joint = parseIntFlag(m[1], '--pin joint', 0, 16);
  const x = Number(m[2]), y = Number(m[3]);
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new UsageError(`--pin must be j:x,y with finite numbers, got "${value}"`);
  return { joint, x, y };
}

export const generateCommand: CommandDef = {
  name: 'generate',
  summary: 'Generate object-interactive skeletons for a person placed in a box',
  options(cmd) {
    cmd.option('--image <file>', 'the image (PNG, JPEG or WebP)')
      .option('--person <x1,y1,x2,y2>', 'where the new person goes (pixels)')
      .option('--object <x1,y1,x2,y2|auto>', 'the object box, or auto to detect it')
      .option('--category <name>', 'COCO category of the object (e.g. cup, chair, bicycle)')
      .option('--action <verb>', 'V-COCO verb (e.g. hold, sit, ride, kick)')
      .option('--samples <n>', 'number of skeletons', '1')
      .option('--seed <s>', 'random seed', '1')
      .option('--model <dir>', 'model directory (default: the shipped model)')
      .option('--pin <j:x,y>', 'pin joint j at (x,y); repeatable', collect, [])
      .option('--sampler <kind>', 'official | ddim', 'official')
      .option('--hand <side>', "left | right: the person's own hand that does the interaction (samples with it come first)")
      .option('--out <dir>', 'output directory', 'out');
  },
  async run(opts, io) {
    const imagePath = String(requireOption(opts.image, '--image'));
    const personRaw = requireOption(opts.person, '--person');
    const objectRaw = String(requireOption(opts.object, '--object'));
    const samples = parseIntFlag(opts.samples, '--samples', 1, MAX_SAMPLES);
    const seed = parseSeed(opts.seed);
    const sampler = parseChoiceFlag(opts.sampler, '--sampler', ['official', 'ddim'] as const);
    const hand = opts.hand === undefined ? undefined : parseChoiceFlag(opts.hand, '--hand', HANDS);
    const pins = (opts.pin as string[]).map(parsePin);
    const image = await readImage(imagePath);
    const personBox = parseBox(personRaw, '--person', image);
    let objectBox: Box;
    let category = opts.category as string | undefined;
    if (objectRaw.trim() === 'auto') {
      const { detect } = await import('../../h2h/detect-node.ts');
      const { pickObject } = await import('../../h2h/pick-object.ts');
      const obj = pickObject(await detect(image), personBox);
      objectBox = obj.box;
      category ??= obj.category;
      io.err(`--object auto: ${obj.category} at ${obj.box.map((v) => Math.round(v)).join(',')}`);
    } else {
      objectBox = parseBox(objectRaw, '--object', image);
    }
    const skel = await generate({
      image, personBox, objectBox, category, action: opts.action as string | undefined, samples, seed, pins, sampler, hand,
      modelDir: opts.model ? String(opts.model) : undefined,
    });
    skel.image.path = imagePath;
    for (const n of (skel.notes as string[] | undefined) ?? []) io.err(`note: ${n}`);
    const files = { 'skeleton.json': JSON.stringify(skel, null, 1) + '\n', ...(await guidanceFiles(image, skel, 0)) };
    const out = resolve(String(opts.out));
    await writeOutputs(out, files);
    io.out(`${skel.samples.length} skeleton${skel.samples.length > 1 ? 's' : ''} in ${skel.ms} ms -> ${out}/{${Object.keys(files).join(',')}}`);
    return { out, files: Object.keys(files), samples: skel.samples.length, ms: skel.ms, skeleton: skel };
  },
};
