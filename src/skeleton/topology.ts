/**
 * COCO-17 skeleton topology: joint names, left/right flip pairs, the paper's 19-edge adjacency, drawing limbs,
 * and the COCO-17 -> OpenPose-18 mapping used by ControlNet.
 */

/** COCO-17 joint names, in the order of every keypoint array of the project. */
export const COCO_JOINTS = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;

export type CocoJointName = (typeof COCO_JOINTS)[number];
export const NUM_JOINTS = 17;

/** Joint indices by name. */
export const J = Object.fromEntries(COCO_JOINTS.map((n, i) => [n, i])) as Record<CocoJointName, number>;

/** Left/right pairs swapped by a horizontal flip. */
export const FLIP_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14], [15, 16],
];

/** For each joint, the joint it becomes under a horizontal flip. */
export const FLIP_INDEX: readonly number[] = (() => {
  const idx = Array.from({ length: NUM_JOINTS }, (_, i) => i);
  for (const [a, b] of FLIP_PAIRS) { idx[a] = b; idx[b] = a; }
  return idx;
})();

/** The paper's skeleton graph: 19 undirected edges over COCO-17 (official code order). */
export const SKELETON_EDGES: ReadonlyArray<readonly [number, number]> = [
  [1, 2], [0, 1], [0, 2], [2, 4], [1, 3], [6, 8], [8, 10], [5, 7], [7, 9],
  [12, 14], [14, 16], [11, 13], [13, 15], [5, 6], [11, 12], [5, 11], [6, 12], [3, 5], [4, 6],
];

/**
 * The 17x17 binary adjacency with self-loops (A_adj of the associative attention), row-major.
 * Not normalised, as in the official code.
 */
export function adjacencyMatrix(selfLoops = true): Float32Array {
  const a = new Float32Array(NUM_JOINTS * NUM_JOINTS);
  for (const [i, j] of SKELETON_EDGES) { a[i * NUM_JOINTS + j] = 1; a[j * NUM_JOINTS + i] = 1; }
  if (selfLoops) for (let i = 0; i < NUM_JOINTS; i++) a[i * NUM_JOINTS + i] = 1;
  return a;
}

/** Bones used for drawing overlays and measuring lengths (parent, child). */
export const LIMBS: ReadonlyArray<readonly [number, number]> = [
  [5, 7], [7, 9], [6, 8], [8, 10], [11, 13], [13, 15], [12, 14], [14, 16],
  [5, 6], [11, 12], [5, 11], [6, 12], [0, 1], [0, 2], [1, 3], [2, 4],
];

/** OpenPose-18 keypoint names (ControlNet order). */
export const OPENPOSE_JOINTS = [
  'nose', 'neck', 'right_shoulder', 'right_elbow', 'right_wrist', 'left_shoulder', 'left_elbow', 'left_wrist',
  'right_hip', 'right_knee', 'right_ankle', 'left_hip', 'left_knee', 'left_ankle',
  'right_eye', 'left_eye', 'right_ear', 'left_ear',
] as const;

/** Marker for the synthesised neck in OPENPOSE_FROM_COCO. */
export const NECK = -1;

/** OpenPose index -> COCO index (NECK for the neck, the mean of the two shoulders). */
export const OPENPOSE_FROM_COCO: readonly number[] = [0, NECK, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3];

/** A keypoint: [x, y, c] in image pixels, c in [0, 1]. */
export type Keypoint = [number, number, number];

/**
 * COCO-17 -> OpenPose-18. The neck is the mean of the shoulders, present only when both shoulder scores exceed
 * `neckThreshold` (0.3 as in ControlNet's DWPose path); its score is the product of the shoulder scores.
 * Missing points come out as [0, 0, 0].
 */
export function cocoToOpenPose(kps: readonly Keypoint[], neckThreshold = 0.3): Keypoint[] {
  if (kps.length !== NUM_JOINTS) throw new RangeError(`cocoToOpenPose(): expected 17 keypoints, got ${kps.length}`);
  return OPENPOSE_FROM_COCO.map((ci): Keypoint => {
    if (ci !== NECK) return [kps[ci][0], kps[ci][1], kps[ci][2]];
    const [l, r] = [kps[5], kps[6]];
    if (l[2] > neckThreshold && r[2] > neckThreshold) return [(l[0] + r[0]) / 2, (l[1] + r[1]) / 2, l[2] * r[2]];
    return [0, 0, 0];
  });
}

/** OpenPose-18 -> COCO-17 (the neck is dropped). */
export function openPoseToCoco(op: readonly Keypoint[]): Keypoint[] {
  if (op.length !== 18) throw new RangeError(`openPoseToCoco(): expected 18 keypoints, got ${op.length}`);
  const out: Keypoint[] = Array.from({ length: NUM_JOINTS }, () => [0, 0, 0] as Keypoint);
  OPENPOSE_FROM_COCO.forEach((ci, oi) => { if (ci !== NECK) out[ci] = [op[oi][0], op[oi][1], op[oi][2]]; });
  return out;
}

/** Mirror keypoints horizontally in an image of width `width`, swapping left and right joints. */
export function flipKeypoints(kps: readonly Keypoint[], width: number): Keypoint[] {
  return FLIP_INDEX.map((src): Keypoint => {
    const [x, y, c] = kps[src];
    return [width - 1 - x, y, c];
  });
}
