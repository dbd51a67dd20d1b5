import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../cli/run-cli.ts';
import { DEFAULT_H2H_MODEL_DIR, readH2hModel } from '../../src/h2h/h2h-model.ts';
import { handDistance } from '../../src/h2h/hand-contact.ts';
import { J } from '../../src/skeleton/topology.ts';
import { readH2hSamples } from '../../src/h2h/h2h-data-node.ts';

describe('the shipped h2h model (models/h2h)', () => {
  it('is an h2h model with the eight interactions and its model card', async () => {
    const { model } = await readH2hModel(DEFAULT_H2H_MODEL_DIR);
    expect(model.config.extraTokens).toBe(17);
    expect(model.config.actions).toEqual(['dance', 'handshake', 'high-five', 'hug', 'piggyback', 'point', 'push', 'talk']);
    expect(existsSync(join(DEFAULT_H2H_MODEL_DIR, 'MODEL_CARD.md'))).toBe(true);
    expect(existsSync(join(DEFAULT_H2H_MODEL_DIR, 'baseline.json'))).toBe(true);
  });

  it('pinplace h2h (no --model) on held-out synthetic scenes: the body in the person box, hands on the partner\'s hands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-shipped-'));
    const data = join(dir, 'data');
    const s = await run(['synth', '--kind', 'h2h', '--out', data, '--count', '8', '--seed', '9001', '--size', '512,384', '--workers', '1']);
    expect(s.code, s.err).toBe(0);
    const scenes = (await readH2hSamples(data)).filter((x) => x.action === 'handshake' || x.action === 'high-five');
    expect(scenes.length).toBeGreaterThanOrEqual(2);
    let met = 0;
    for (const [i, x] of scenes.entries()) {
      writeFileSync(join(dir, 'partner.json'), JSON.stringify({ keypoints: x.partner.keypoints }));
      const out = join(dir, `out-${i}`);
      const r = await run(['h2h', '--image', x.imagePath, '--person', x.personBox.join(','), '--partner', x.partner.box.join(','),
        '--partner-keypoints', join(dir, 'partner.json'), '--action', x.action!, '--samples', '2', '--out', out, '--json']);
      expect(r.code, r.err).toBe(0);
      const skel = JSON.parse(readFileSync(join(out, 'skeleton.json'), 'utf8'));
      const [x1, y1, x2, y2] = x.personBox;
      const w = x2 - x1, h = y2 - y1;
      for (const j of [J.left_shoulder, J.right_shoulder, J.left_hip, J.right_hip, J.left_ankle, J.right_ankle]) {
        const [px, py] = skel.samples[0].keypoints[j];
        expect(px).toBeGreaterThan(x1 - 0.5 * w); expect(px).toBeLessThan(x2 + 0.5 * w);
        expect(py).toBeGreaterThan(y1 - 0.2 * h); expect(py).toBeLessThan(y2 + 0.2 * h);
      }
      if (handDistance(skel.samples[0].keypoints, skel.partner) <= 0.1) met++;
    }
    expect(met).toBeGreaterThanOrEqual(scenes.length - 1);
  });

  it('two samples differ (the scene and its mirror image) and both reach for the partner\'s hand (within 15 % of its box height)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-two-'));
    const data = join(dir, 'data');
    const s = await run(['synth', '--kind', 'h2h', '--out', data, '--count', '8', '--seed', '9001', '--size', '512,384', '--workers', '1']);
    expect(s.code, s.err).toBe(0);
    const scenes = (await readH2hSamples(data)).filter((x) => x.action === 'handshake' || x.action === 'high-five');
    for (const [i, x] of scenes.entries()) {
      writeFileSync(join(dir, 'partner.json'), JSON.stringify({ keypoints: x.partner.keypoints }));
      const out = join(dir, `out-${i}`);
      const r = await run(['h2h', '--image', x.imagePath, '--person', x.personBox.join(','), '--partner', x.partner.box.join(','),
        '--partner-keypoints', join(dir, 'partner.json'), '--action', x.action!, '--samples', '2', '--seed', '3', '--out', out, '--json']);
      expect(r.code, r.err).toBe(0);
      const skel = JSON.parse(readFileSync(join(out, 'skeleton.json'), 'utf8'));
      const [a, b] = skel.samples.map((q: { keypoints: number[][] }) => q.keypoints);
      const h = x.personBox[3] - x.personBox[1];
      // the two differ (one condition alone gives copies within 0.05 px): some joint moves by more than 1.5 % of the
      // person's height, the joints by 0.5 % on average
      const d = a.map((k: number[], j: number) => Math.hypot(k[0] - b[j][0], k[1] - b[j][1]) / h);
      expect(Math.max(...d), `scene ${i}`).toBeGreaterThan(0.015);
      expect(d.reduce((t: number, v: number) => t + v, 0) / 17, `scene ${i}`).toBeGreaterThan(0.005);
      // and both still reach for the partner's hand
      for (const k of [a, b]) expect(handDistance(k, skel.partner), `scene ${i}`).toBeLessThan(0.15);
    }
  });
});
