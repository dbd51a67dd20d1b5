/** Constants of the human-to-human mode and the detector. */
import type { DetectConfig } from './types.ts';

/** Detector defaults (types.ts documents each field). */
export const DEFAULT_DETECT_CONFIG: Required<DetectConfig> = {
  minObjectScore: 0.25,
  minKeypointScore: 0.3,
  minKeypoints: 5,
  maxObjects: 20,
  cropExpand: 1.3,
  refine: true,
  refineExpand: 1.1,
};

/** Model files inside @vladmandic/human/models. */
export const PEOPLE_MODEL = 'movenet-lightning.json';
export const OBJECT_MODEL = 'centernet.json';

/** IoU above which two person detections are the same person. */
export const SAME_PERSON_IOU = 0.4;

/**
 * Padding of the keypoint extent that makes a tight person box, as fractions of the extent's height:
 * [left/right, top (head above the eyes), bottom (feet below the ankles)].
 */
export const KEYPOINT_BOX_PAD: readonly [number, number, number] = [0.04, 0.07, 0.04];

/** The interactions of the synthetic human-to-human scenes (the `--action` values of `h2h`). */
export const H2H_ACTIONS = ['handshake', 'hug', 'high-five', 'piggyback', 'dance', 'talk', 'push', 'point'] as const;
export type H2hAction = (typeof H2H_ACTIONS)[number];

/** Interactions where the two people's hands meet (the interaction check of docs/h2h.md). */
export const HAND_CONTACT_ACTIONS: readonly string[] = ['handshake', 'high-five'];

/** The interaction check: a hand is "at" the partner's hand within this fraction of the partner box height. */
export const HAND_CONTACT_TOLERANCE = 0.1;
