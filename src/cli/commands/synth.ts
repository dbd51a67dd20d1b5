/**
 * `pinplace synth --out DIR --count N [--seed S] [--kind hoi|h2h] [--size W,H] [--preview] [--extend]`: write a
 * synthetic training set in the SPEC data-set format (DIR/annotations.json + DIR/images/*.png), or grow one.
 */
import { SingleBar, Presets } from 'cli-progress';
import { DEFAULT_SYNTH_SEED, DEFAULT_SYNTH_SIZE, MAX_SYNTH_COUNT } from '../../data/constants.ts';
import { writeSynthSet } from '../../data/synth-writer-node.ts';
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, parseSizeFlag, requireOption } from '../options.ts';

export const synthCommand: CommandDef = {
  name: 'synth',
  summary: 'Write a synthetic training data set (human-object or human-to-human scenes without the person)',
  options(cmd) {
    cmd.option('--out <dir>', 'output directory (annotations.json + images/)')
      .option('--count <n>', 'number of images')
      .option('--seed <s>', 'random seed (same seed, same bytes)', String(DEFAULT_SYNTH_SEED))
      .option('--kind <kind>', 'hoi (person and object) or h2h (two people)', 'hoi')
      .option('--size <w,h>', 'image size in pixels', DEFAULT_SYNTH_SIZE.join(','))
      .option('--preview', 'also write DIR/preview.png, a contact sheet of scenes with their skeletons')
      .option('--workers <n>', 'generator threads (default: one per core for 32 images or more; 0: main thread only)')
      .option('--extend', 'grow the set already in --out (same seed, kind and size) to --count images: its scenes are kept, the rest generated; the same set as a fresh run, and train reuses the kept scenes\' cached features');
  },
  async run(opts, io) {
    const out = String(requireOption(opts.out as string | undefined, '--out'));
    const count = parseIntFlag(requireOption(opts.count, '--count'), '--count', 1, MAX_SYNTH_COUNT);
    const seed = parseIntFlag(opts.seed ?? DEFAULT_SYNTH_SEED, '--seed');
    const kind = parseChoiceFlag(opts.kind ?? 'hoi', '--kind', ['hoi', 'h2h'] as const);
    const size = parseSizeFlag(opts.size ?? DEFAULT_SYNTH_SIZE.join(','), '--size');
    const workers = opts.workers === undefined ? undefined : parseIntFlag(opts.workers, '--workers', 0, 64);
    const bar = io.progress ? new SingleBar({ format: 'synth [{bar}] {value}/{total} {eta_formatted}', hideCursor: true }, Presets.shades_classic) : null;
    let result;
    let started = false;
    try {
      result = await writeSynthSet({
        out, count, seed, kind, size, workers, preview: opts.preview === true, extend: opts.extend === true,
        // the bar starts with the first scene: with --extend only the missing ones are made
        onProgress: (d, total) => { if (bar && !started) { bar.start(total, 0); started = true; } bar?.update(d); },
      });
    } finally {
      bar?.stop();
    }
    io.out(`wrote ${result.images} images, ${result.people} people, ${result.samples} (person, object) samples to ${result.out}${result.kept !== undefined ? ` (${result.kept} kept, ${result.images - result.kept} new)` : ''}`);
    io.out(`${result.samples_per_s} samples/s, ${(result.bytes / 1e6).toFixed(1)} MB`);
    if (result.preview) io.out(`contact sheet: ${result.preview}`);
    return { ...result };
  },
};
