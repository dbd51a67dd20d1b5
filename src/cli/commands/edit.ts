/**
 * `pinplace edit --image IMG --skeleton FILE --server URL [--api comfyui|a1111] --prompt TEXT [--negative TEXT]
 *  [--steps N] [--seed S] [--checkpoint NAME] [--controlnet NAME] [--timeout SEC] [--out DIR]`
 */
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, parseNumberFlag, requireOption } from '../options.ts';
import { readImage } from '../../io/image.ts';
import { edit, readSkeletonFile } from '../../edit/edit.ts';
import { IMAGE_SERVER_APIS } from '../../edit/create-client.ts';
import { EDIT_DEFAULTS } from '../../edit/constants.ts';
import type { EditProgress } from '../../edit/types.ts';

export const editCommand: CommandDef = {
  name: 'edit',
  summary: 'Paint the person into the image on a ComfyUI or AUTOMATIC1111 server',
  options(cmd) {
    cmd
      .option('--image <file>', 'the scene (PNG, JPEG or WebP)')
      .option('--skeleton <file>', 'skeleton.json from generate/h2h, or an OpenPose JSON')
      .option('--server <url>', 'image server, e.g. http://127.0.0.1:8188 (ComfyUI) or http://127.0.0.1:7860 (AUTOMATIC1111)')
      .option('--api <api>', `server API: ${IMAGE_SERVER_APIS.join(' or ')}`, 'comfyui')
      .option('--prompt <text>', 'what to paint, e.g. "a man sitting on the bench, photo"')
      .option('--negative <text>', 'negative prompt (default: blurry, extra limbs, ...)')
      .option('--steps <n>', 'sampling steps', String(EDIT_DEFAULTS.steps))
      .option('--seed <s>', 'sampler seed', String(EDIT_DEFAULTS.seed))
      .option('--cfg <x>', 'guidance scale', String(EDIT_DEFAULTS.cfg))
      .option('--checkpoint <name>', 'checkpoint as the server lists it (default: an installed SD 1.5 inpainting model)')
      .option('--controlnet <name>', 'ControlNet model as the server lists it (default: an installed openpose model)')
      .option('--sample <k>', 'which sample of skeleton.json', '0')
      .option('--mask <kind>', 'region to repaint: box (person box) or hull (around the skeleton)')
      .option('--grow <px>', 'grow the mask by this many pixels', '0')
      .option('--feather <px>', 'soften the mask edge over this many pixels', '0')
      .option('--timeout <sec>', 'give up after this many seconds and stop the job on the server', String(EDIT_DEFAULTS.timeoutMs / 1000))
      .option('--out <dir>', 'output directory', 'out');
  },
  async run(opts, io) {
    const imagePath = requireOption(opts.image as string | undefined, '--image');
    const skeletonPath = requireOption(opts.skeleton as string | undefined, '--skeleton');
    const server = requireOption(opts.server as string | undefined, '--server');
    const prompt = requireOption(opts.prompt as string | undefined, '--prompt');
    const api = parseChoiceFlag(opts.api ?? 'comfyui', '--api', IMAGE_SERVER_APIS);
    const steps = parseIntFlag(opts.steps ?? EDIT_DEFAULTS.steps, '--steps', 1, 200);
    const seed = parseIntFlag(opts.seed ?? EDIT_DEFAULTS.seed, '--seed', 0, 2 ** 32 - 1);
    const cfg = parseNumberFlag(opts.cfg ?? EDIT_DEFAULTS.cfg, '--cfg', 0, 30);
    const sample = parseIntFlag(opts.sample ?? 0, '--sample', 0);
    const mask = opts.mask === undefined ? undefined : parseChoiceFlag(opts.mask, '--mask', ['box', 'hull'] as const);
    const grow = parseNumberFlag(opts.grow ?? 0, '--grow', 0, 4096);
    const feather = parseNumberFlag(opts.feather ?? 0, '--feather', 0, 4096);
    const timeout = parseNumberFlag(opts.timeout ?? EDIT_DEFAULTS.timeoutMs / 1000, '--timeout', 0.001, 86_400);
    const out = requireOption((opts.out as string | undefined) ?? 'out', '--out');
    const pollIntervalMs = process.env.PINPLACE_POLL_MS ? parseIntFlag(process.env.PINPLACE_POLL_MS, 'PINPLACE_POLL_MS', 1, 60_000) : undefined;

    const skeleton = await readSkeletonFile(skeletonPath, '--skeleton');
    const image = await readImage(imagePath);

    let bar: cliProgress.SingleBar | null = null;
    let phase = '';
    const onProgress = (_f: number, _m: string, p: EditProgress): void => {
      if (p.phase !== phase) {
        phase = p.phase;
        io.debug(`edit: ${p.phase}`);
      }
      if (!io.progress) return;
      if (p.phase === 'sampling' && p.max > 0) {
        if (!bar) {
          bar = new cliProgress.SingleBar({
            format: `${api} [{bar}] {value}/{total} steps`, stream: process.stderr, hideCursor: true, clearOnComplete: true,
            // io.progress already says stderr is a terminal; draw even where the stream does not say so itself
            noTTYOutput: true, notTTYSchedule: 250,
          }, cliProgress.Presets.shades_classic);
          bar.start(p.max, 0);
        }
        bar.setTotal(p.max);
        bar.update(p.value);
      }
    };
    let result;
    try {
      result = await edit({
        image, skeleton, sample, server, api, prompt, negative: opts.negative as string | undefined, steps, seed, cfg,
        checkpoint: opts.checkpoint as string | undefined, controlnet: opts.controlnet as string | undefined,
        mask, grow: grow || undefined, feather: feather || undefined, timeoutMs: Math.round(timeout * 1000), pollIntervalMs,
        onProgress, out,
      });
    } finally {
      (bar as cliProgress.SingleBar | null)?.stop();
    }
    const s = result.summary;
    io.out(`painted on ${api} at ${String(s.server)} with ${String(s.checkpoint)} + ${String(s.controlnet)} (seed ${seed}, ${steps} steps) in ${(Number(s.ms) / 1000).toFixed(1)} s`);
    io.out(`wrote ${result.written.join(', ')}`);
    return {
      out,
      edited: join(out, 'edited.png'),
      files: result.written,
      api,
      server: s.server,
      checkpoint: s.checkpoint,
      controlnet: s.controlnet,
      seed,
      steps,
      work_size: s.work_size,
      ms: s.ms,
    };
  },
};
