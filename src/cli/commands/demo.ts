/**
 * `pinplace demo [--out DIR] [--samples N] [--seed S]`: generate + fit (+ edit when PINPLACE_SERVER is set) on the
 * bundled sample scene, with the shipped default model; prints where the outputs are and how to open the viewer.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { CommandDef } from '../command.ts';
import { runWithArgs } from '../compose.ts';
import { parseIntFlag, parseSeed } from '../options.ts';
import { parseJsonText, parseWith } from '../../data/formats.ts';
import { generateCommand } from './generate.ts';
import { fitCommand } from './fit.ts';
import { editCommand } from './edit.ts';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../server/constants.ts';

/** The bundled sample scene (assets/sample). */
export const SAMPLE_SCENE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../assets/sample');

/** assets/sample/scene.json: the sample image with the boxes of the demo. */
export interface SampleScene {
  image: string;
  person_box: [number, number, number, number];
  object_box: [number, number, number, number];
  category: string;
  action: string;
}

const sceneSchema = z.looseObject({
  image: z.string(),
  person_box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  object_box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  category: z.string(),
  action: z.string(),
});

export async function readSampleScene(dir = SAMPLE_SCENE_DIR): Promise<SampleScene & { imagePath: string }> {
  const path = join(dir, 'scene.json');
  const scene = parseWith<SampleScene>(sceneSchema, parseJsonText(await readFile(path, 'utf8'), path), path, 'sample scene');
  return { ...scene, imagePath: join(dir, scene.image) };
}

export const demoCommand: CommandDef = {
  name: 'demo',
  summary: 'Run generate + fit (+ edit when PINPLACE_SERVER is set) on the bundled sample scene',
  options(cmd) {
    cmd.option('--out <dir>', 'output directory', 'out/demo')
      .option('--samples <n>', 'number of skeletons', '4')
      .option('--seed <s>', 'random seed', '1');
  },
  async run(opts, io) {
    const samples = parseIntFlag(opts.samples, '--samples', 1, 64);
    const seed = parseSeed(opts.seed);
    const out = resolve(String(opts.out));
    const scene = await readSampleScene();
    io.out(`sample scene: ${scene.imagePath} (${scene.action} / ${scene.category})`);
    const generated = await runWithArgs(generateCommand, [
      '--image', scene.imagePath, '--person', scene.person_box.join(','), '--object', scene.object_box.join(','),
      '--category', scene.category, '--action', scene.action, '--samples', String(samples), '--seed', String(seed), '--out', out,
    ], io);
    const fitted = await runWithArgs(fitCommand, ['--skeleton', join(out, 'skeleton.json'), '--out', out], io);
    let edited: Record<string, unknown> | null = null;
    const server = process.env.PINPLACE_SERVER;
    if (server) {
      edited = await runWithArgs(editCommand, [
        '--image', scene.imagePath, '--skeleton', join(out, 'skeleton.json'), '--server', server,
        '--api', process.env.PINPLACE_API ?? 'comfyui',
        '--prompt', `a person, ${scene.action} ${scene.category}, photo, natural light`, '--out', out,
      ], io);
    } else {
      io.out('set PINPLACE_SERVER=http://127.0.0.1:8188 (a ComfyUI server) to also paint the person in (docs/editing.md)');
    }
    io.out(`outputs in ${out}: skeleton.json openpose.json pose.png mask.png overlay.png body.json body.glb body.obj${edited ? ' edited.png' : ''}`);
    io.out(`open the viewer: npx pinplace serve, then http://${DEFAULT_HOST}:${DEFAULT_PORT}/`);
    return { out, scene: scene.imagePath, generate: generated, fit: fitted, ...(edited ? { edit: edited } : {}) };
  },
};
