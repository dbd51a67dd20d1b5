/** Constants of src/data: the synthetic generator's defaults and the COCO person category. */
import { COCO_JOINTS } from '../skeleton/topology.ts';

/** Default image size of `pinplace synth` [W, H]. */
export const DEFAULT_SYNTH_SIZE: [number, number] = [512, 512];
/** Default seed. */
export const DEFAULT_SYNTH_SEED = 1;
/** Smallest / largest image side accepted by `pinplace synth`. */
export const MIN_SYNTH_SIDE = 64;
export const MAX_SYNTH_SIDE = 2048;
/** Largest --count. */
export const MAX_SYNTH_COUNT = 1_000_000;
/** PNG zlib level of synthetic images (speed vs size). */
export const SYNTH_PNG_LEVEL = 4;
/** Samples encoded/written concurrently while the next ones are generated. */
export const SYNTH_IN_FLIGHT = 6;
/** Images per contact sheet of `--preview`. */
export const PREVIEW_COUNT = 24;

/** COCO's person category with the 17 keypoints and the 1-based skeleton of the COCO keypoint files. */
export const COCO_PERSON_CATEGORY = {
  id: 1,
  name: 'person',
  supercategory: 'person',
  keypoints: [...COCO_JOINTS],
  skeleton: [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11],
    [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]],
};
