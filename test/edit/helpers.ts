/** Shared fixtures of the edit tests: a small scene, a standing person, an edit request, a closed port. */
import { createServer } from 'node:net';
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { RgbImage } from '../../src/io/image.ts';
import type { Keypoint } from '../../src/skeleton/topology.ts';
import { drawOpenPoseMap } from '../../src/edit/openpose-map.ts';
import { maskedImage, personMask } from '../../src/edit/mask.ts';
import type { EditRequest } from '../../src/edit/types.ts';

export const W = 96;
export const H = 72;

/** A smooth gradient scene, W x H. */
export function scene(width = W, height = H): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = 40 + ((y * 150) / height) | 0;
      data[o + 1] = 120;
      data[o + 2] = 200 - ((x * 120) / width) | 0;
    }
  }
  return { data, width, height, channels: 3 };
}

/** A standing person (COCO-17) filling the box [30, 6, 66, 70] of a 96 x 72 image, scaled by s. */
export function standing(s = 1): Keypoint[] {
  return [
    [48, 12], [46, 10], [50, 10], [44, 11], [52, 11], [40, 20], [56, 20], [37, 31], [59, 31], [36, 41], [60, 41],
    [43, 42], [53, 42], [42, 54], [54, 54], [42, 66], [54, 66],
  ].map(([x, y]): Keypoint => [x * s, y * s, 1]);
}

export function skeletonFile(width = W, height = H): SkeletonFile {
  const s = width / W;
  return {
    image: { path: 'scene.png', width, height },
    person_box: [30 * s, 6 * s, 66 * s, 70 * s],
    object_box: [70 * s, 40 * s, 90 * s, 70 * s],
    category: 'chair',
    action: 'sit',
    samples: [{ keypoints: standing(s) }, { keypoints: standing(s).map((k): Keypoint => [k[0] + 2 * s, k[1], 1]) }],
  };
}

/** An edit request at 64 x 48 (multiples of 8). */
export function request(over: Partial<EditRequest> = {}): EditRequest {
  const img = scene(64, 48);
  const mask = personMask([20, 4, 44, 46], 64, 48);
  return {
    image: maskedImage(img, mask), mask, pose: drawOpenPoseMap([standing(64 / 96)], 64, 48),
    prompt: 'a person standing, photo', steps: 6, ...over,
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
