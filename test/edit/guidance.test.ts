import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { guidanceFiles } from '../../src/edit/guidance.ts';
import { drawOverlay, OVERLAY_COLOURS } from '../../src/edit/overlay.ts';
import { drawOpenPoseMap } from '../../src/edit/openpose-map.ts';
import { personMask } from '../../src/edit/mask.ts';
import { parseOpenPoseFile, type SkeletonFile } from '../../src/data/formats.ts';
import type { RgbImage } from '../../src/io/image.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';

const W = 160;
const H = 120;
function image(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
  return { data, width: W, height: H, channels: 3 };
}
const body = (dx: number): Keypoint[] => [
  [40, 20], [37, 17], [43, 17], [34, 19], [46, 19], [30, 32], [50, 32], [27, 50], [53, 50], [25, 66], [55, 66],
  [33, 70], [47, 70], [32, 90], [48, 90], [31, 108], [49, 108],
].map(([x, y]): Keypoint => [x + dx, y, 1]);
const skel = (partner = false): SkeletonFile => ({
  image: { path: 'scene.png', width: W, height: H },
  person_box: [20, 10, 60, 115],
  object_box: [70, 60, 100, 100],
  samples: [{ keypoints: body(0) }, { keypoints: body(5) }],
  ...(partner ? { partner: { box: [95, 10, 140, 115], keypoints: body(80) } } : {}),
});

async function raw(png: string | Uint8Array): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }> {
  return sharp(png as Uint8Array).raw().toBuffer({ resolveWithObject: true });
}

describe('guidanceFiles', () => {
  it('writes the four files at the image size, pixels equal to the rasterisers', async () => {
    const files = await guidanceFiles(image(), skel(), 1);
    expect(Object.keys(files).sort()).toEqual(['mask.png', 'openpose.json', 'overlay.png', 'pose.png']);
    const pose = await raw(files['pose.png']);
    expect([pose.info.width, pose.info.height, pose.info.channels]).toEqual([W, H, 3]);
    expect(pose.data.equals(Buffer.from(drawOpenPoseMap([body(5)], W, H).data))).toBe(true);
    expect((files['mask.png'] as Uint8Array)[25]).toBe(0); // PNG colour type 0: greyscale
    const mask = { data: await sharp(files['mask.png'] as Uint8Array).extractChannel(0).raw().toBuffer() };
    expect(mask.data.equals(Buffer.from(personMask([20, 10, 60, 115], W, H).data))).toBe(true);
    const op = parseOpenPoseFile(JSON.parse(files['openpose.json'] as string));
    expect(op.people).toHaveLength(1);
    expect(op.people[0].pose_keypoints_2d.slice(0, 2)).toEqual([45, 20]);
    const overlay = await raw(files['overlay.png']);
    expect([overlay.info.width, overlay.info.height, overlay.info.channels]).toEqual([W, H, 3]);
  });

  it('h2h: pose.png and openpose.json hold both people', async () => {
    const files = await guidanceFiles(image(), skel(true));
    const op = parseOpenPoseFile(JSON.parse(files['openpose.json'] as string));
    expect(op.people).toHaveLength(2);
    const pose = await raw(files['pose.png']);
    expect(pose.data.equals(Buffer.from(drawOpenPoseMap([body(0), body(80)], W, H).data))).toBe(true);
  });

  it('rejects a sample that does not exist', async () => {
    await expect(guidanceFiles(image(), skel(), 2)).rejects.toThrow(/sample must be an integer in \[0, 1\], got 2/);
  });
});

describe('drawOverlay', () => {
  it('draws boxes and skeleton on a copy and leaves the rest of the image alone', () => {
    const img = image();
    const before = Uint8Array.from(img.data);
    const out = drawOverlay(img, skel(true));
    expect(Buffer.from(img.data).equals(Buffer.from(before))).toBe(true);
    const px = (x: number, y: number): number[] => Array.from(out.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
    expect(px(20, 60)).toEqual([...OVERLAY_COLOURS.person]);
    expect(px(70, 80)).toEqual([...OVERLAY_COLOURS.object]);
    expect(px(95, 100)).toEqual([...OVERLAY_COLOURS.partner]);
    expect(px(40, 20)).toEqual([255, 0, 0]); // nose joint
    expect(px(120, 20)).toEqual([255, 0, 0]); // partner's nose joint
    expect(px(5, 5)).toEqual(Array.from(before.subarray((5 * W + 5) * 3, (5 * W + 5) * 3 + 3)));
    let changed = 0;
    for (let i = 0; i < out.data.length; i++) if (out.data[i] !== before[i]) changed++;
    expect(changed).toBeGreaterThan(500);
    expect(changed).toBeLessThan(out.data.length / 3);
  });
});
