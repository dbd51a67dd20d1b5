/**
 * `pinplace h2h --image IMG --person x1,y1,x2,y2 --partner x1,y1,x2,y2 [--partner-keypoints FILE] [--action VERB]
 *  [--samples N] [--seed S] [--model DIR] [--pin j:x,y ...] [--out DIR]`
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandDef } from '../command.ts';
import { collect, parseIntFlag, requireOption, parseSeed } from '../options.ts';
import { UsageError } from '../../errors.ts';
import { readImage } from '../../io/image.ts';
import { writeOutputs } from '../../io/atomic.ts';
import { parseJsonText } from '../../data/formats.ts';
import { parseBox } from '../../skeleton/calculators/box.ts';
import type { Keypoint } from '../../skeleton/topology.ts';
import { guidanceFiles } from '../../edit/guidance.ts';
import { detect } from '../../h2h/detect-node.ts';
import { checkH2hInputs, h2h, resolvePartner } from '../../h2h/h2h.ts';
import { isDetectJson, partnerKeypointsFromJson } from '../../h2h/partner-keypoints.ts';
import { parsePin } from './generate.ts';

export const h2hCommand: CommandDef = {
  name: 'h2h',
  summary: 'Human-to-human mode: generate a person interacting with an existing person',
  options(cmd) {
    cmd
      .option('--image <file>', 'image (PNG, JPEG or WebP) with the partner in it')
      .option('--person <box>', 'box of the new person x1,y1,x2,y2 (pixels)')
      .option('--partner <box>', 'box of the partner x1,y1,x2,y2 (pixels)')
      .option('--partner-keypoints <file>', "the partner's skeleton: skeleton.json, OpenPose JSON or detect JSON (default: detected)")
      .option('--action <verb>', 'the interaction, e.g. handshake, hug, high-five')
      .option('--samples <n>', 'number of skeletons', '1')
      .option('--seed <s>', 'random seed', '1')
      .option('--model <dir>', 'h2h model directory (default: the shipped models/h2h)')
      .option('--pin <j:x,y>', "pin the new person's joint j at (x,y), as in generate; repeatable", collect, [])
      .option('--out <dir>', 'output directory', 'out');
  },
  async run(opts, io) {
    const imagePath = requireOption(opts.image as string | undefined, '--image');
    const personRaw = requireOption(opts.person as string | undefined, '--person');
    const partnerRaw = requireOption(opts.partner as string | undefined, '--partner');
    const samples = parseIntFlag(opts.samples, '--samples', 1, 256);
    const seed = parseSeed(opts.seed);
    const out = requireOption(opts.out as string | undefined, '--out');
    const pins = ((opts.pin as string[] | undefined) ?? []).map(parsePin);
    const image = await readImage(imagePath);
    const personBox = parseBox(personRaw, '--person', image);
    const partnerBox = parseBox(partnerRaw, '--partner', image);
    let partnerKeypoints: Keypoint[] | undefined;
    let partnerSource: 'given' | 'detected' = 'given';
    const file = opts.partnerKeypoints as string | undefined;
    if (file !== undefined) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new UsageError(`--partner-keypoints file ${code === 'ENOENT' ? 'not found' : `cannot be read (${code})`}: ${file}`);
      }
      const json = parseJsonText(text, `--partner-keypoints ${file}`);
      partnerKeypoints = partnerKeypointsFromJson(json, `--partner-keypoints ${file}`, partnerBox);
      // a detect JSON carries detector scores: treated like a partner h2h detects itself
      if (isDetectJson(json)) partnerSource = 'detected';
    }
    checkH2hInputs({ image, personBox, partnerBox, samples, seed, pins });
    // The partner first (bad input fails before the model loads), then the model.
    const partner = await resolvePartner({ image, partnerBox, partnerKeypoints, partnerSource, detect: (img) => detect(img) });
    // The model code loads on demand, so that other commands start without it.
    const { loadH2hModel, DEFAULT_H2H_MODEL_DIR } = await import('../../h2h/h2h-model.ts');
    const sampler = await loadH2hModel((opts.model as string | undefined) ?? DEFAULT_H2H_MODEL_DIR);
    const skel = await h2h({
      image, personBox, partnerBox, partnerKeypoints: partner.keypoints, partnerSource: partner.source,
      action: opts.action as string | undefined, samples, seed, sampler, ...(pins.length ? { pins } : {}),
    });
    const files = { 'skeleton.json': JSON.stringify(skel, null, 2) + '\n', ...(await guidanceFiles(image, skel, 0)) };
    const written = await writeOutputs(out, files);
    io.out(`${skel.samples.length} skeleton${skel.samples.length === 1 ? '' : 's'} for the new person with the partner ${file ? `(from ${file}${partnerSource === 'detected' ? ', detector scores' : ''})` : '(detected)'}`);
    io.out(`wrote ${written.map((p) => p).join(', ')}`);
    return { out, files: Object.keys(files).map((n) => join(out, n)), samples: skel.samples.length, partner_source: skel.partner_source, model: skel.model, ms: skel.ms };
  },
};
