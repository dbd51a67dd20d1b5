/** Numbers of the fitter (weights, stages) and the model name. Layout notes in trailing comments. */

/** Name written into body.json `model`. */
export const BODY_MODEL_NAME = 'pinplace-body-v1';

/** Weights of one optimisation stage (see objective.ts for the terms). */
export interface StageWeights {
  /** Name, for logs. */
  name: string;
  /** Solver iterations (LM steps, or gradient steps x GRADIENT_STEPS_PER_LM). */
  iterations: number;
  /** Optimise only the global orientation and translation (the camera stage). */
  cameraOnly: boolean;
  /** Pose prior weight (per radian away from the relaxed pose). */
  pose: number;
  /** Shape prior weight (per unit beta). */
  shape: number;
  /** Depth prior weight (per relative change of t_z from its initial guess); 0 = off. */
  depth: number;
  /** Keep the betas fixed in this stage. */
  fixShape?: boolean;
  /** Stop when a step lowers the cost by less than this fraction (default 1e-9). */
  tolerance?: number;
}

/** Objective weights shared by both solvers. */
export const FIT_WEIGHTS = {
  /** Robust scale of the reprojection residual, in fractions of the person-box height (GMoF sigma). */
  sigma: 0.15,
  /** Joint-limit weight per radian outside JOINT_LIMITS. */
  limits: 3,
  /** Data weight of each COCO-17 point (hips slightly down-weighted: annotators disagree about them). */
  keypoint: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.8, 0.8, 1, 1, 1, 1] as readonly number[],
  /** Pose prior multiplier per SMPL joint (spine and collars stiffer). */
  poseJoint: [
    0, 1, 1, 2, 1, 1, 2, 1, 1, 2, 1, 1, 1.5, 3, 3, 1.5, 1, 1, 1, 1, 1, 1, 1, 1,
  ] as readonly number[],
} as const;

/** The default stages: camera, then the body with a prior that relaxes stage by stage. */
export const FIT_STAGES: readonly StageWeights[] = [
  { name: 'camera', iterations: 5, cameraOnly: true, pose: 0, shape: 0, depth: 0.3 },
  { name: 'body-coarse', iterations: 4, cameraOnly: false, pose: 0.1, shape: 0.1, depth: 0 },
  { name: 'body-mid', iterations: 6, cameraOnly: false, pose: 0.02, shape: 0.02, depth: 0 },
  { name: 'body-fine', iterations: 15, cameraOnly: false, pose: 0.004, shape: 0.006, depth: 0 },
];

/** SMPL joints whose rotations move no COCO-17 point (ankles, feet, wrists, hands): held at the relaxed pose. */
export const UNOBSERVED_JOINTS: readonly number[] = [7, 8, 10, 11, 20, 21, 22, 23];

/** COCO-17 torso points used by the camera stage (shoulders, hips). */
export const TORSO_POINTS: readonly number[] = [5, 6, 11, 12];

/** Weight of the face points in the camera stage (they tell which way the body turns). */
export const CAMERA_FACE_WEIGHT = 0.3;

/** Two orientations are tried when the 2D shoulder width is below this fraction of the 2D torso height. */
export const SIDE_VIEW_RATIO = 0.3;

/** Turns about the body's vertical tried from each start orientation (2D torso points cannot tell +yaw from -yaw). */
export const YAW_STARTS: readonly number[] = [-0.7, 0.7];

/** Stages run for every start before only the best start goes on. */
export const SELECT_AFTER_STAGES = 2;

/** A 2D thigh shorter than this fraction of the 2D torso starts a second, sitting start for that leg. */
export const SHORT_THIGH_RATIO = 0.55;
/** The sitting start: hip flexion (thigh forward) and knee flexion, radians. */
export const SITTING_HIP_FLEXION = -1.4;
export const SITTING_KNEE_FLEXION = 1.4;

/** Gradient solver: Adam learning rate and steps per LM iteration of the same stage. */
export const GRADIENT_CONFIG = { learningRate: 0.03, stepsPerIteration: 6 };

/** Betas are kept inside [-BETA_LIMIT, BETA_LIMIT] (soft bound with the joint-limit weight). */
export const BETA_LIMIT = 2.5;

/** The fitter optimises at most this many betas (a model with more, e.g. 300, keeps the rest at 0). */
export const MAX_FIT_BETAS = 10;

/** Fewest confident keypoints (c > 0) a fit accepts. */
export const MIN_CONFIDENT_KEYPOINTS = 6;
