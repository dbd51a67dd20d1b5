/**
 * Types of src/data: synthetic scenes, interaction templates and the loaded data set.
 * Units: world metres (y up, the body frame of src/mesh/kinematics.ts); image pixels (x right, y down).
 */
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { Body } from './body.ts';
import type { Placed } from './placement.ts';
import type { Rng } from './rng.ts';
import type { Setting } from './background.ts';
import type { Shape } from './shape.ts';
import type { Vec3 } from './vec.ts';

/** A contact the template asked for: SMPL joint `joint` at world point `target`, on the object (or partner). */
export interface Contact {
  joint: number;
  target: Vec3;
  /** What is touched, for messages ("seat", "left grip"). */
  what: string;
}

/** What an interaction template builds: posed bodies in contact with an object (or a partner). */
export interface Interaction {
  action: string;
  category: string;
  /** bodies[0] is the person of the annotation (not drawn); bodies[1] is the drawn partner in h2h scenes. */
  bodies: Body[];
  /** The object of a human-object scene. */
  object?: Placed;
  /** Scenery that is not the annotated object (desk, chair under a reader, ski poles). */
  furniture: Shape[];
  contacts: Contact[];
  settings: readonly Setting[];
  /** Largest contact distance left after IK, metres. */
  ikError: number;
}

/** One (action, category) interaction of the generator. */
export interface InteractionTemplate {
  action: string;
  category: string;
  build(rng: Rng): Interaction;
}

/** An annotated person of a synthetic image (pixels). */
export interface SynthPerson {
  /** COCO-17 [x, y, v] with COCO visibility v: 0 outside the image (x = y = 0), 1 hidden, 2 visible. */
  keypoints: Array<[number, number, number]>;
  /** Tight box of the person's projected body, clipped to the image, xyxy. */
  box: Box;
  /** Object boxes with their action and category (empty for a partner drawn in the image). */
  objects: Array<{ box: Box; action: string; category: string }>;
  /** Index of the other person of an h2h scene within the sample. */
  partner?: number;
  /** Whether the person is drawn in the image (h2h partner) or erased (the person to place). */
  drawn: boolean;
  /** Camera-frame COCO-17 joints, metres (OpenCV axes). */
  joints3d: Vec3[];
}

/** A rendered synthetic sample. */
export interface SynthSample {
  index: number;
  width: number;
  height: number;
  /** RGB bytes, interleaved. */
  rgb: Uint8Array;
  people: SynthPerson[];
  template: { action: string; category: string; setting: Setting };
  camera: { focal: number; cx: number; cy: number };
}

/** One training/evaluation sample of a data set: one (person, object box) pair. */
export interface DatasetSample {
  annotationId: number;
  objectIndex: number;
  imageId: number;
  imagePath: string;
  imageSize: [number, number];
  /** Tight person box, xyxy pixels. */
  personBox: Box;
  objectBox: Box;
  action: string;
  category?: string;
  /** COCO-17 [x, y, c] with c = 1 for labelled joints (v > 0) and 0 otherwise. */
  keypoints: Keypoint[];
  /** COCO visibility flags 0/1/2 as in the file. */
  visibility: number[];
  partnerId?: number;
  partnerKeypoints?: Keypoint[];
  partnerBox?: Box;
}

export interface Dataset {
  /** The annotation file read. */
  source: string;
  samples: DatasetSample[];
  /** People skipped (crowd, no keypoints, no object boxes, missing images), by reason. */
  skipped: Record<string, number>;
  images: number;
  annotations: number;
}
