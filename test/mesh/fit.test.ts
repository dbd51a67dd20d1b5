import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as THREE from 'three';
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { runCli as run } from '../cli/run-cli.ts';
import { parseBodyFile, type SkeletonFile } from '../../src/data/formats.ts';
import { FormatError, UsageError } from '../../src/errors.ts';
import { fit, resolveSolver } from '../../src/mesh/fit.ts';
import { getDefaultJointModel } from '../../src/mesh/fitter.ts';
import { mulberry32, syntheticCase } from '../../src/mesh/synthetic.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const model = getDefaultJointModel();
const W = 640, H = 480;

/** A skeleton file whose sample (and partner) are body-model bodies seen by the default camera. */
function skeletonFile(seed: number, partner = false): SkeletonFile {
  const rand = mulberry32(seed);
  const a = syntheticCase(model, rand, { size: [W, H] });
  const box = (kp: Keypoint[]) => {
    const xs = kp.map((k) => k[0]), ys = kp.map((k) => k[1]);
    return [Math.min(...xs) - 10, Math.min(...ys) - 25, Math.max(...xs) + 10, Math.max(...ys) + 15] as [number, number, number, number];
  };
  const s: SkeletonFile = { image: { path: 'scene.png', width: W, height: H }, person_box: box(a.target.keypoints), samples: [{ keypoints: a.target.keypoints }] };
  if (partner) {
    const b = syntheticCase(model, rand, { size: [W, H] });
    s.partner = { box: box(b.target.keypoints), keypoints: b.target.keypoints };
  }
  return s;
}

function parseGlb(bytes: Uint8Array): Promise<THREE.Group> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return new Promise((res, rej) => new GLTFLoader().parse(ab, '', (g) => res(g.scene), rej));
}

describe('fit()', () => {
  it('returns a SPEC body.json whose joints2d reproject onto the input, a GLB three.js loads, and an OBJ', async () => {
    const skel = skeletonFile(3);
    const r = await fit({ skeleton: skel, solver: 'lm' });
    const body = parseBodyFile(JSON.parse(JSON.stringify(r.body)));
    expect(body.model).toBe('pinplace-body-v1');
    expect(body.pose).toHaveLength(24);
    expect(body.camera).toEqual({ focal: Math.round(Math.hypot(W, H) * 1000) / 1000, cx: 320, cy: 240 });
    const boxH = skel.person_box[3] - skel.person_box[1];
    expect(body.reprojection_error_px.median).toBeLessThan(0.05 * boxH);
    // the error is the plain distance between joints2d and the keypoints
    const d = body.joints2d.map((p, i) => Math.hypot(p[0] - skel.samples[0].keypoints[i][0], p[1] - skel.samples[0].keypoints[i][1]));
    expect(Math.max(...d)).toBeCloseTo(body.reprojection_error_px.max, 1);
    expect(body.translation[2]).toBeGreaterThan(1);
    const scene = await parseGlb(r.glb);
    const skinned: THREE.SkinnedMesh[] = [];
    scene.traverse((o) => { if ((o as THREE.SkinnedMesh).isSkinnedMesh) skinned.push(o as THREE.SkinnedMesh); });
    expect(skinned).toHaveLength(1);
    expect(skinned[0].skeleton.bones).toHaveLength(24);
    expect(skinned[0].geometry.attributes.position.count).toBeGreaterThanOrEqual(5000);
    const vLines = r.obj.split('\n').filter((l) => l.startsWith('v ')).length;
    expect(vLines).toBe(skinned[0].geometry.attributes.position.count);
  });

  it('fits the partner too, with the same camera, both bodies in one GLB', async () => {
    const r = await fit({ skeleton: skeletonFile(4, true), partner: true, solver: 'lm' });
    expect(r.bodies).toHaveLength(2);
    expect(r.bodies[1].camera).toEqual(r.bodies[0].camera);
    const scene = await parseGlb(r.glb);
    let n = 0;
    scene.traverse((o) => { if ((o as THREE.SkinnedMesh).isSkinnedMesh) n++; });
    expect(n).toBe(2);
    expect(r.obj.split('\n').filter((l) => l.startsWith('o '))).toEqual(['o body', 'o partner']);
  });

  const bad: Array<[string, () => Parameters<typeof fit>[0], typeof FormatError | typeof UsageError, RegExp]> = [
    ['fewer than 6 confident joints', () => {
      const s = skeletonFile(5);
      s.samples[0].keypoints = s.samples[0].keypoints.map((k, i) => (i < 5 ? k : [0, 0, 0]));
      return { skeleton: s };
    }, FormatError, /at least 6 keypoints/],
    ['a NaN keypoint', () => {
      const s = skeletonFile(5);
      s.samples[0].keypoints[4] = [NaN, 3, 1];
      return { skeleton: s };
    }, FormatError, /NaN/],
    ['a malformed file', () => ({ skeleton: { samples: [] } as unknown as SkeletonFile }), FormatError, /not a valid skeleton.json/],
    ['a sample out of range', () => ({ skeleton: skeletonFile(5), sample: 3 }), UsageError, /--sample must be an integer in \[0, 0\]/],
    ['--partner without a partner', () => ({ skeleton: skeletonFile(5), partner: true }), UsageError, /partner/],
  ];
  it.each(bad)('rejects %s', async (_n, make, cls, re) => {
    const p = fit(make());
    await expect(p).rejects.toThrow(cls);
    await expect(fit(make())).rejects.toThrow(re);
  });
});

describe('pinplace fit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinplace-fit-'));
  it('writes body.json, body.glb and body.obj and prints the JSON result last', async () => {
    const file = join(dir, 'skeleton.json');
    writeFileSync(file, JSON.stringify(skeletonFile(6)));
    const out = join(dir, 'out');
    const r = await run(['fit', '--skeleton', file, '--out', out, '--focal', '700', '--json']);
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res.body.camera.focal).toBe(700);
    expect(readdirSync(out).sort()).toEqual(['body.glb', 'body.json', 'body.obj']);
  });
  const cases: Array<[string, string, RegExp]> = [
    ['malformed JSON', '{"samples": [', /not valid JSON/],
    ['too few confident joints', JSON.stringify({ ...skeletonFile(7), samples: [{ keypoints: Array.from({ length: 17 }, (_, i) => [i, i, i < 3 ? 1 : 0]) }] }), /at least 6 keypoints/],
    ['a NaN written as a string', JSON.stringify(skeletonFile(7)).replace(/\[([0-9.]+),/, '["NaN",'), /not a valid skeleton.json/],
  ];
  it.each(cases)('fails with one line and no output files on %s', async (_n, text, re) => {
    const file = join(dir, `bad-${_n.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const out = join(dir, `out-${_n.replace(/\W+/g, '-')}`);
    const r = await run(['fit', '--skeleton', file, '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(re);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

describe('solver choice', () => {
  // auto is Levenberg-Marquardt everywhere (faster per person than the batched gradient solver on every backend
  // measured, GPUs included); the gradient solver runs only when asked
  const table: Array<[Parameters<typeof resolveSolver>[0], 'lm' | 'gradient']> = [[undefined, 'lm'], ['auto', 'lm'], ['lm', 'lm'], ['gradient', 'gradient']];
  for (const [asked, runs] of table) it(`${asked ?? 'default'} -> ${runs}`, () => expect(resolveSolver(asked)).toBe(runs));
});
