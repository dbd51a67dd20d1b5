/** `pinplace fit`: fit the SMPL-style body to a skeleton sample; writes body.json, body.glb, body.obj. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandDef } from '../command.ts';
import { parseChoiceFlag, parseIntFlag, parseNumberFlag, requireOption } from '../options.ts';
import { FormatError } from '../../errors.ts';
import { parseJsonText, parseSkeletonFile } from '../../data/formats.ts';
import { writeOutputs } from '../../io/atomic.ts';
import { bodyJsonText, fit } from '../../mesh/fit.ts';
import { loadBodyModelFile } from '../../mesh/body-model-node.ts';

export const fitCommand: CommandDef = {
  name: 'fit',
  summary: 'Fit the SMPL-style 3D body to a skeleton',
  options(cmd) {
    cmd.option('--skeleton <file>', 'skeleton.json from generate, h2h, or written by hand')
      .option('--sample <k>', 'which sample to fit', '0')
      .option('--focal <f>', 'focal length in pixels (default: sqrt(W^2 + H^2) of the image)')
      .option('--partner', 'also fit the partner of an h2h skeleton file (same camera, both bodies in one GLB)')
      .option('--solver <name>', 'lm | gradient | auto (auto: lm, the faster on every backend measured)', 'auto')
      .option('--model <file>', 'an SMPL-format .npz body model (default: the shipped model)')
      .option('--out <dir>', 'output directory', 'out');
  },
  async run(opts, io) {
    const path = String(requireOption(opts.skeleton, '--skeleton'));
    const sample = parseIntFlag(opts.sample, '--sample', 0);
    const focal = opts.focal === undefined ? undefined : parseNumberFlag(opts.focal, '--focal', 1e-6);
    const solver = parseChoiceFlag(opts.solver, '--solver', ['lm', 'gradient', 'auto'] as const);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new FormatError(`cannot read --skeleton ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const skeleton = parseJsonText(text, path);
    const skel = parseSkeletonFile(skeleton, path);
    const model = await loadBodyModelFile(opts.model ? String(opts.model) : undefined);
    const r = await fit({ skeleton: skel, sample, focal, partner: !!opts.partner, solver, model });
    const files: Record<string, string | Uint8Array> = {
      'body.json': bodyJsonText(r.body),
      'body.glb': r.glb,
      'body.obj': r.obj,
    };
    if (r.bodies.length > 1) files['body-partner.json'] = bodyJsonText(r.bodies[1]);
    const out = resolve(String(opts.out));
    await writeOutputs(out, files);
    for (const [i, b] of r.bodies.entries()) {
      const e = b.reprojection_error_px;
      io.out(`${i === 0 ? 'body' : 'partner'}: ${b.iterations} iterations, ${b.ms} ms, reprojection error median ${e.median} px, max ${e.max} px`);
    }
    io.out(`-> ${out}/{${Object.keys(files).join(',')}}`);
    return { out, files: Object.keys(files), body: r.body, ...(r.bodies.length > 1 ? { partner: r.bodies[1] } : {}) };
  },
};
