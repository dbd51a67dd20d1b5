/**
 * Types of the human-to-human mode and of person/object detection.
 * Units: image pixels, origin top-left, x right, y down; boxes `[x1, y1, x2, y2]`; keypoints COCO-17 `[x, y, c]`.
 */
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';

/** A detected person: box, 17 COCO keypoints (c = the detector's confidence, 0 where not found), score in [0, 1]. */
export interface DetectedPerson {
  box: Box;
  keypoints: Keypoint[];
  /** Mean keypoint confidence. */
  score: number;
}

/** A detected object: box, COCO category name, score in [0, 1]. */
export interface DetectedObject {
  box: Box;
  category: string;
  score: number;
}

/** What `detect` returns and `pinplace detect` prints (SPEC). People and objects are sorted by score, best first. */
export interface Detections {
  image: { path: string; width: number; height: number };
  people: DetectedPerson[];
  objects: DetectedObject[];
  /** Where the weights came from and which models ran. */
  models?: { people: string; objects: string };
}

/** Options of `detect`. All optional; defaults in DEFAULT_DETECT_CONFIG. */
export interface DetectConfig {
  /** Minimum detector score for an object (and for a CenterNet person box). [0.25] */
  minObjectScore?: number;
  /** A keypoint counts as found from this confidence. [0.3] */
  minKeypointScore?: number;
  /** A person needs at least this many found keypoints. [5] */
  minKeypoints?: number;
  /** At most this many objects. [20] */
  maxObjects?: number;
  /** Side factor of the square crop around a person box that MoveNet sees. [1.3] */
  cropExpand?: number;
  /** Look at each person a second time, on a crop around its first keypoints and on its mirror image. [true] */
  refine?: boolean;
  /** Side factor of the refinement crop around the box of the first keypoints. [1.1] */
  refineExpand?: number;
}
