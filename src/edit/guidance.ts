/**
 * The guidance files every `generate` / `h2h` writes and `edit` sends: openpose.json, pose.png, mask.png and
 * overlay.png, computed in memory (the caller writes them, e.g. with io/atomic's writeOutputs).
 */
import type { RgbImage } from '../io/image.ts';
import { encodePng } from '../io/image.ts';
import { rasterToPng } from './png.ts';
import type { SkeletonFile } from '../data/formats.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { RasterImage } from '../skeleton/calculators/crop.ts';
import { drawOpenPoseMap, toOpenPoseJson } from './openpose-map.ts';
import { personMask, type MaskOptions } from './mask.ts';
import { drawOverlay } from './overlay.ts';

export type GuidanceName = 'openpose.json' | 'pose.png' | 'mask.png' | 'overlay.png';
export type GuidanceFiles = Record<GuidanceName, string | Uint8Array>;

/** The people a skeleton file puts in the pose map: sample `sample`, then the partner when there is one. */
export function posePeople(skel: SkeletonFile, sample = 0): Keypoint[][] {
  if (!Number.isInteger(sample) || sample < 0 || sample >= skel.samples.length) {
    throw new RangeError(`sample must be an integer in [0, ${skel.samples.length - 1}], got ${sample}`);
  }
  const people = [skel.samples[sample].keypoints];
  if (skel.partner) people.push(skel.partner.keypoints);
  return people;
}

/** The rasters behind the guidance files (for callers that need pixels rather than PNG bytes). */
export interface GuidanceRasters {
  pose: RasterImage<Uint8Array>;
  mask: RasterImage<Uint8Array>;
  overlay: RasterImage<Uint8Array>;
  openpose: ReturnType<typeof toOpenPoseJson>;
}

/** Compute the guidance rasters: pose map (both people for h2h), person-box mask, overlay. */
export function guidanceRasters(image: RgbImage, skel: SkeletonFile, sample = 0, mask: MaskOptions = {}): GuidanceRasters {
  const { width, height } = image;
  const people = posePeople(skel, sample);
  return {
    pose: drawOpenPoseMap(people, width, height),
    mask: personMask(skel.person_box, width, height, mask),
    overlay: drawOverlay(image, skel, sample),
    openpose: toOpenPoseJson(people, width, height),
  };
}

/**
 * The guidance files for sample `sample` of `skel` on `image`: openpose.json (text), pose.png, mask.png (white =
 * repaint: the person box), overlay.png (PNG bytes). All at the image's size. For h2h files (with `partner`)
 * pose.png and openpose.json hold both people.
 */
export async function guidanceFiles(image: RgbImage, skel: SkeletonFile, sample = 0, mask: MaskOptions = {}): Promise<GuidanceFiles> {
  const r = guidanceRasters(image, skel, sample, mask);
  const [pose, maskPng, overlay] = await Promise.all([encodePng(r.pose), rasterToPng(r.mask), encodePng(r.overlay)]);
  return {
    'openpose.json': JSON.stringify(r.openpose, null, 2) + '\n',
    'pose.png': new Uint8Array(pose),
    'mask.png': maskPng,
    'overlay.png': new Uint8Array(overlay),
  };
}

