import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { writeSynthSet } from '../../src/data/synth-writer-node.ts';
import { parseCocoKeypointsFile, type CocoKeypointsFile } from '../../src/data/formats.ts';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'pinplace-synth-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function readSet(out: string): Promise<CocoKeypointsFile> {
  return parseCocoKeypointsFile(JSON.parse(await readFile(join(out, 'annotations.json'), 'utf8')), out);
}

describe('pinplace synth data sets', () => {
  const cases = [
    { name: 'hoi 160x128', kind: 'hoi' as const, size: [160, 128] as [number, number], count: 8 },
    { name: 'h2h 128x128', kind: 'h2h' as const, size: [128, 128] as [number, number], count: 6 },
  ];
  for (const c of cases) {
    it(`${c.name}: COCO keypoints JSON with obj_bbox/class/obj_category and PNG images of the requested size`, async () => {
      const out = join(dir, c.kind);
      const r = await writeSynthSet({ out, count: c.count, seed: 5, kind: c.kind, size: c.size, preview: true });
      expect(r.images).toBe(c.count);
      const f = await readSet(out);
      expect(f.images).toHaveLength(c.count);
      expect(f.categories).toEqual([expect.objectContaining({ id: 1, name: 'person', keypoints: expect.any(Array) })]);
      const files = (await readdir(join(out, 'images'))).sort();
      expect(files).toEqual(f.images.map((im) => im.file_name).sort());
      const [W, H] = c.size;
      for (const im of f.images) {
        const meta = await sharp(join(out, 'images', im.file_name)).metadata();
        expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', W, H, 3]);
      }
      const byId = new Map(f.annotations.map((a) => [a.id, a]));
      for (const a of f.annotations) {
        expect(a.keypoints).toHaveLength(51);
        let labelled = 0;
        for (let j = 0; j < 17; j++) {
          const [x, y, v] = a.keypoints.slice(j * 3, j * 3 + 3);
          expect([0, 1, 2]).toContain(v);
          if (v === 0) expect([x, y]).toEqual([0, 0]);
          else {
            labelled++;
            expect(x).toBeGreaterThanOrEqual(0); expect(x).toBeLessThan(W);
            expect(y).toBeGreaterThanOrEqual(0); expect(y).toBeLessThan(H);
          }
        }
        expect(a.num_keypoints).toBe(labelled);
        const [bx, by, bw, bh] = a.bbox;
        expect(bx).toBeGreaterThanOrEqual(0); expect(by).toBeGreaterThanOrEqual(0);
        expect(bx + bw).toBeLessThanOrEqual(W + 0.01); expect(by + bh).toBeLessThanOrEqual(H + 0.01);
        expect(a.class).toHaveLength(a.obj_bbox!.length);
        expect(a.obj_category).toHaveLength(a.obj_bbox!.length);
        for (const ob of a.obj_bbox!) {
          expect(ob[2]).toBeGreaterThan(ob[0]); expect(ob[3]).toBeGreaterThan(ob[1]);
          expect(ob[0]).toBeGreaterThanOrEqual(0); expect(ob[2]).toBeLessThanOrEqual(W);
        }
        if (c.kind === 'h2h') {
          const partner = byId.get(a.partner_id!);
          expect(partner, 'partner_id names an annotation of the same image').toBeDefined();
          expect(partner!.image_id).toBe(a.image_id);
          expect(partner!.partner_id).toBe(a.id);
        } else {
          expect(a.partner_id).toBeUndefined();
          expect(a.obj_bbox).toHaveLength(1);
        }
      }
      if (c.kind === 'h2h') {
        // per image: the erased person has the partner's box as its object box; the drawn partner has none
        for (const im of f.images) {
          const anns = f.annotations.filter((a) => a.image_id === im.id);
          expect(anns).toHaveLength(2);
          const [person, partner] = anns;
          expect(person.class![0]).toMatch(/^(handshake|hug|high-five|piggyback|dance|talk|push|point)$/);
          expect(person.obj_category).toEqual(['person']);
          const pb = partner.bbox;
          expect(person.obj_bbox![0]).toEqual([pb[0], pb[1], +(pb[0] + pb[2]).toFixed(2), +(pb[1] + pb[3]).toFixed(2)].map((v) => expect.closeTo(v, 1)));
          expect(partner.obj_bbox).toEqual([]);
        }
      }
      const sheet = await sharp(join(out, 'preview.png')).metadata();
      expect(sheet.format).toBe('png');
    });
  }

  it('is deterministic: the same seed gives the same bytes, another seed other images', async () => {
    const opts = { count: 4, kind: 'hoi' as const, size: [128, 128] as [number, number] };
    await writeSynthSet({ ...opts, out: join(dir, 'a'), seed: 9 });
    await writeSynthSet({ ...opts, out: join(dir, 'b'), seed: 9 });
    await writeSynthSet({ ...opts, out: join(dir, 'c'), seed: 10 });
    const read = (d: string, f: string) => readFile(join(dir, d, f));
    expect((await read('a', 'annotations.json')).equals(await read('b', 'annotations.json'))).toBe(true);
    for (let i = 0; i < 4; i++) {
      const f = `images/00000${i}.png`;
      expect((await read('a', f)).equals(await read('b', f)), f).toBe(true);
      expect((await read('a', f)).equals(await read('c', f)), f).toBe(false);
    }
  });

  it('worker threads write exactly the same set as the main thread', async () => {
    const opts = { count: 5, kind: 'h2h' as const, size: [96, 96] as [number, number], seed: 21 };
    await writeSynthSet({ ...opts, out: join(dir, 'w0'), workers: 0 });
    await writeSynthSet({ ...opts, out: join(dir, 'w2'), workers: 2 });
    const read = (d: string, f: string) => readFile(join(dir, d, f));
    expect((await read('w0', 'annotations.json')).equals(await read('w2', 'annotations.json'))).toBe(true);
    for (let i = 0; i < 5; i++) expect((await read('w0', `images/00000${i}.png`)).equals(await read('w2', `images/00000${i}.png`))).toBe(true);
  });

  it('covers every (action, category) pair of the kind in consecutive blocks', async () => {
    const { HOI_TEMPLATES } = await import('../../src/data/hoi-templates.ts');
    const { synthSample } = await import('../../src/data/scene.ts');
    const seen = new Set<string>();
    for (let i = 0; i < HOI_TEMPLATES.length; i++) {
      const s = synthSample({ seed: 3, index: i, kind: 'hoi', width: 96, height: 96 });
      seen.add(`${s.template.action}/${s.template.category}`);
    }
    expect(seen.size).toBe(HOI_TEMPLATES.length);
  });

  it('rejects bad options with one line and writes nothing', async () => {
    const out = join(dir, 'bad');
    const bad = [
      { count: 0, msg: /--count must be an integer in \[1, / },
      { count: 2, size: [10, 10] as [number, number], msg: /--size sides must be integers in \[64, 2048\], got "10,10"/ },
      { count: 2, kind: 'cats' as 'hoi', msg: /--kind must be one of hoi, h2h, got "cats"/ },
    ];
    for (const b of bad) {
      await expect(writeSynthSet({ out, seed: 1, kind: b.kind ?? 'hoi', size: b.size ?? [128, 128], count: b.count })).rejects.toThrow(b.msg);
    }
    await expect(readdir(out)).rejects.toThrow();
  });
});

describe('synth --extend (growing a set)', () => {
  const base = { seed: 7, kind: 'hoi' as const, size: [96, 96] as [number, number], workers: 0 };

  it('keeps the scenes there and makes the rest: the same set as a fresh run of the full count', async () => {
    const grown = join(dir, 'grown'), fresh = join(dir, 'fresh');
    await writeSynthSet({ ...base, out: grown, count: 3 });
    const r = await writeSynthSet({ ...base, out: grown, count: 5, extend: true });
    expect([r.images, r.kept]).toEqual([5, 3]);
    await writeSynthSet({ ...base, out: fresh, count: 5 });
    expect(await readFile(join(grown, 'annotations.json'), 'utf8')).toBe(await readFile(join(fresh, 'annotations.json'), 'utf8'));
    for (const f of await readdir(join(fresh, 'images'))) {
      expect((await readFile(join(grown, 'images', f))).equals(await readFile(join(fresh, 'images', f)))).toBe(true);
    }
  });

  it('refuses, with one line and nothing written, what it cannot grow', async () => {
    const set = join(dir, 'refuse');
    await writeSynthSet({ ...base, out: set, count: 3 });
    const before = await readFile(join(set, 'annotations.json'), 'utf8');
    await expect(writeSynthSet({ ...base, out: set, count: 5, seed: 8, extend: true })).rejects.toThrow(/^--extend: .* holds --kind hoi --seed 7 --size 96,96 scenes, not --kind hoi --seed 8 --size 96,96$/);
    await expect(writeSynthSet({ ...base, out: set, count: 2, extend: true })).rejects.toThrow(/already holds 3 images, more than --count 2/);
    await expect(writeSynthSet({ ...base, out: set, count: 5, extend: true, preview: true })).rejects.toThrow(/--preview/);
    await expect(writeSynthSet({ ...base, out: join(dir, 'nothing-here'), count: 5, extend: true })).rejects.toThrow(/not found \(nothing to extend\)/);
    await rm(join(set, 'images', '000001.png'));
    await expect(writeSynthSet({ ...base, out: set, count: 5, extend: true })).rejects.toThrow(/000001\.png is missing/);
    expect(await readFile(join(set, 'annotations.json'), 'utf8')).toBe(before);
    expect((await readdir(join(set, 'images'))).sort()).toEqual(['000000.png', '000002.png']);
  });
});
