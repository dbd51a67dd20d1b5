import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as run } from '../cli/run-cli.ts';
import { composeScene } from './sample-images.ts';

const dir = mkdtempSync(join(tmpdir(), 'pinplace-h2h-cli-'));
const scene = join(dir, 'scene.png'); // one person (the partner) on the left, room on the right
const empty = join(dir, 'empty.png');

beforeAll(async () => {
  writeFileSync(scene, await composeScene(1000, 640, 600, [[0, 20]]));
  writeFileSync(empty, await composeScene(640, 480, 10, []));
  writeFileSync(join(dir, 'fifteen.json'), JSON.stringify({ samples: [{ keypoints: Array.from({ length: 15 }, () => [1, 2, 1]) }] }));
});

describe('pinplace detect', () => {
  it('--json prints the SPEC object as the last line', async () => {
    const r = await run(['detect', '--image', scene, '--json', '--out', join(dir, 'det')]);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j.image).toMatchObject({ path: scene, width: 1000, height: 640 });
    expect(j.people).toHaveLength(1);
    expect(j.people[0].keypoints).toHaveLength(17);
    expect(j.people[0].box[2]).toBeLessThan(560);
    expect(Array.isArray(j.objects)).toBe(true);
    expect(existsSync(join(dir, 'det', 'detections.json'))).toBe(true);
  });
});

describe('pinplace h2h with a partner file', () => {
  it('a detect JSON counts as a detected partner (its scores go on the training levels); a skeleton file as given', async () => {
    const kps = Array.from({ length: 17 }, (_, j) => [150 + (j % 2) * 40, 60 + 30 * j, [0.9, 0.35, 0.1][j % 3]]);
    writeFileSync(join(dir, 'det.json'), JSON.stringify({ image: { path: scene, width: 1000, height: 640 }, objects: [], people: [{ box: [100, 40, 260, 600], keypoints: kps, score: 0.8 }] }));
    writeFileSync(join(dir, 'given.json'), JSON.stringify({ samples: [{ keypoints: kps }] }));
    for (const [name, source] of [['det.json', 'detected'], ['given.json', 'given']] as const) {
      const out = join(dir, `out-file-${source}`);
      const r = await run(['h2h', '--image', scene, '--person', '620,40,900,620', '--partner', '100,20,500,620', '--partner-keypoints', join(dir, name), '--out', out]);
      expect(r.code, r.err).toBe(0);
      const skel = JSON.parse(readFileSync(join(out, 'skeleton.json'), 'utf8'));
      expect(skel.partner_source).toBe(source);
      expect(skel.partner.keypoints.map((k: number[]) => k[2])).toEqual(kps.map((k) => k[2])); // written raw either way
    }
  });
});

describe('pinplace h2h: bad input is one line, a non-zero exit, and no output', () => {
  const cases: Array<{ name: string; argv: () => string[]; msg: RegExp }> = [
    { name: 'a partner box over no detected person', argv: () => ['--image', scene, '--person', '620,40,900,620', '--partner', '650,40,900,600'], msg: /--partner \[650,40,900,600\] overlaps no detected person \(people found at \[\d+,\d+,\d+,\d+\]\)/ },
    { name: 'no person in the image', argv: () => ['--image', empty, '--person', '300,40,400,400', '--partner', '100,40,250,400'], msg: /no person detected in .*empty\.png/ },
    { name: 'a partner file with 15 joints', argv: () => ['--image', scene, '--person', '620,40,900,620', '--partner', '100,20,500,620', '--partner-keypoints', join(dir, 'fifteen.json')], msg: /samples\[0\]\.keypoints has 15 keypoints; the partner needs COCO-17/ },
    { name: 'a missing partner file', argv: () => ['--image', scene, '--person', '620,40,900,620', '--partner', '100,20,500,620', '--partner-keypoints', join(dir, 'nope.json')], msg: /--partner-keypoints file not found/ },
    { name: 'an inverted person box', argv: () => ['--image', scene, '--person', '900,40,620,620', '--partner', '100,20,500,620'], msg: /--person must have x2 > x1/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const out = join(dir, `out-${c.name.replace(/\W+/g, '-')}`);
      const r = await run(['h2h', ...c.argv(), '--out', out]);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(c.msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }
});
