import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../src/data/dataset-node.ts';
import { writeSynthSet } from '../../src/data/synth-writer-node.ts';
import { FormatError, UsageError } from '../../src/errors.ts';

const OFFICIAL = join(import.meta.dirname, '..', 'fixtures', 'data', 'official');

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'pinplace-data-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('loadDataset on the official format', () => {
  it('reads object_keypoint_val2014.json: one sample per (person, object box), skipping crowd, keypoint-less and image-less people', async () => {
    const d = await loadDataset(OFFICIAL);
    expect(d.source).toMatch(/object_keypoint_val2014\.json$/);
    expect(d.samples.map((s) => [s.annotationId, s.objectIndex, s.action])).toEqual([[1001, 0, 'hold'], [1001, 1, 'sit'], [1004, 0, 'kick']]);
    expect(d.skipped).toEqual({ crowd: 1, no_keypoints: 1, missing_image: 1, empty_person_box: 1 });
    const s = d.samples[0];
    expect(s.imagePath).toMatch(/inpainted_with_000000000139\.jpg$/);
    expect(s.imageSize).toEqual([64, 48]);
    expect(s.personBox).toEqual([20, 4, 40, 40]); // xywh -> xyxy
    expect(s.objectBox).toEqual([38, 22, 46, 30]); // obj_bbox is already xyxy
    expect(s.category).toBeUndefined();
    expect(s.keypoints[0]).toEqual([30, 8, 1]);
    expect(s.keypoints[13]).toEqual([0, 0, 0]);
    expect(s.visibility[3]).toBe(1);
  });

  it('accepts the file path itself and reads without image checks when asked', async () => {
    const d = await loadDataset(join(OFFICIAL, 'object_keypoint_val2014.json'), { checkImages: false });
    expect(d.samples).toHaveLength(4);
    expect(d.samples[3].imagePath).toMatch(/inpainted_with_000000000872\.jpg$/);
  });

  it('finds the backgrounds in a separate image directory (the official MSCOCO2014_all)', async () => {
    const imgs = join(dir, 'MSCOCO2014_all');
    await mkdir(imgs, { recursive: true });
    await copyFile(join(OFFICIAL, 'inpainted_with_000000000785.jpg'), join(imgs, 'inpainted_with_000000000785.jpg'));
    const d = await loadDataset(join(OFFICIAL, 'object_keypoint_val2014.json'), { imageDir: imgs });
    expect(d.samples.map((s) => s.annotationId)).toEqual([1004]);
    expect(d.samples[0].imagePath).toBe(join(imgs, 'inpainted_with_000000000785.jpg'));
  });
});

describe('loadDataset on synthetic sets (same code path)', () => {
  it('reads hoi and h2h sets with categories and partners', async () => {
    await writeSynthSet({ out: join(dir, 'hoi'), count: 3, seed: 2, kind: 'hoi', size: [96, 96] });
    await writeSynthSet({ out: join(dir, 'h2h'), count: 2, seed: 2, kind: 'h2h', size: [96, 96] });
    const hoi = await loadDataset(join(dir, 'hoi'));
    expect(hoi.samples).toHaveLength(3);
    for (const s of hoi.samples) {
      expect(s.category).toBeTruthy();
      expect(s.imagePath).toMatch(/images\/\d{6}\.png$/);
    }
    const h2h = await loadDataset(join(dir, 'h2h'));
    expect(h2h.samples).toHaveLength(2); // the drawn partners have no object box
    expect(h2h.skipped).toEqual({ no_object: 2 });
    for (const s of h2h.samples) {
      expect(s.category).toBe('person');
      expect(s.partnerKeypoints).toHaveLength(17);
      expect(s.partnerBox![0]).toBeCloseTo(s.objectBox[0], 1);
    }
  });
});

describe('bad data-set files', () => {
  const good = {
    images: [{ id: 1, file_name: 'a.png', width: 10, height: 10 }],
    annotations: [
      { id: 7, image_id: 1, keypoints: Array(51).fill(1), bbox: [1, 1, 5, 5], obj_bbox: [[1, 1, 4, 4]], class: ['hold'] },
      { id: 8, image_id: 1, keypoints: Array(51).fill(1), bbox: [1, 1, 5, 5], obj_bbox: [[1, 1, 4, 4]], class: ['hold'] },
    ],
  };
  const edit = (f: (j: any) => void) => { const j = structuredClone(good); f(j); return JSON.stringify(j); };
  const cases: Array<{ name: string; text: string; error: RegExp }> = [
    { name: 'not JSON', text: '{"images": [', error: /bad\.json is not valid JSON/ },
    { name: 'no annotations list', text: '{"images": []}', error: /bad\.json is not a COCO keypoints file \("annotations" must be a list\)/ },
    { name: 'short keypoints', text: edit((j) => { j.annotations[1].keypoints = Array(50).fill(1); }), error: /bad\.json: annotations\[1\] \(id 8\) is bad \(keypoints: keypoints must hold 51 numbers/ },
    { name: 'class and obj_bbox differ', text: edit((j) => { j.annotations[0].class = ['hold', 'sit']; }), error: /annotations\[0\] \(id 7\) is bad \(class has 2 entries but obj_bbox has 1\)/ },
    { name: 'object box of 3 numbers', text: edit((j) => { j.annotations[1].obj_bbox = [[1, 2, 3]]; }), error: /annotations\[1\] \(id 8\) is bad \(obj_bbox\.0/ },
    { name: 'image without file name', text: edit((j) => { delete j.images[0].file_name; }), error: /images\[0\] \(id 1\) is bad \(file_name/ },
    { name: 'unknown image id', text: edit((j) => { j.annotations[1].image_id = 99; }), error: /annotations\[1\] \(id 8\) is bad \(image_id 99 names no image\)/ },
    { name: 'dangling partner_id', text: edit((j) => { j.annotations[0].partner_id = 42; }), error: /annotations\[0\] \(id 7\) is bad \(partner_id 42 names no annotation\)/ },
  ];
  for (const c of cases) {
    it(`${c.name}: one-line FormatError naming the file and the first bad record`, async () => {
      const d = join(dir, c.name.replace(/\W+/g, '-'));
      await mkdir(d, { recursive: true });
      const file = join(d, 'bad.json');
      await writeFile(file, c.text);
      const err = await loadDataset(file, { checkImages: false }).catch((e) => e);
      expect(err).toBeInstanceOf(FormatError);
      expect(err.message).toMatch(c.error);
      expect(err.message).not.toContain('\n');
    });
  }
  it('a missing data set is a usage error', async () => {
    await expect(loadDataset(join(dir, 'nope'))).rejects.toBeInstanceOf(UsageError);
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(loadDataset(empty)).rejects.toThrow(/holds no annotations\.json, object_keypoint_train2014\.json/);
  });
  it('reads a directory holding the official file with images beside it', async () => {
    const d = join(dir, 'copy');
    await mkdir(d, { recursive: true });
    for (const f of ['object_keypoint_val2014.json', 'inpainted_with_000000000139.jpg']) await copyFile(join(OFFICIAL, f), join(d, f));
    const ds = await loadDataset(d);
    expect(ds.samples.map((s) => s.annotationId)).toEqual([1001, 1001]);
    expect(ds.skipped.missing_image).toBe(2);
  });
});
