/**
 * Constants of ControlNet's OpenPose drawing convention (lllyasviel/ControlNet `annotator/openpose/util.py`,
 * sd-webui-controlnet `draw_bodypose`) and the defaults of the edit stage.
 */

/**
 * The 17 limbs drawn, in drawing order, as 0-based OpenPose-18 index pairs (ControlNet's 1-based `limbSeq` minus 1;
 * its last two ear-shoulder pairs are never drawn). Limb i is drawn in OPENPOSE_COLOURS[i].
 */
export const OPENPOSE_LIMBS: ReadonlyArray<readonly [number, number]> = [
  [1, 2], [1, 5], [2, 3], [3, 4], [5, 6], [6, 7], [1, 8], [8, 9], [9, 10],
  [1, 11], [11, 12], [12, 13], [1, 0], [0, 14], [14, 16], [0, 15], [15, 17],
];

/** The 18 OpenPose colours, RGB. Keypoint k is drawn in OPENPOSE_COLOURS[k], limb i in OPENPOSE_COLOURS[i]. */
export const OPENPOSE_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 0, 0], [255, 85, 0], [255, 170, 0], [255, 255, 0], [170, 255, 0], [85, 255, 0], [0, 255, 0],
  [0, 255, 85], [0, 255, 170], [0, 255, 255], [0, 170, 255], [0, 85, 255], [0, 0, 255], [85, 0, 255],
  [170, 0, 255], [255, 0, 255], [255, 0, 170], [255, 0, 85],
];

/** Half-width of a limb ellipse, pixels at the reference side. */
export const STICK_WIDTH = 4;
/** Radius of a joint circle, pixels at the reference side. */
export const JOINT_RADIUS = 4;
/** Limbs are filled with floor(LIMB_DIM * colour); joints keep the full colour. */
export const LIMB_DIM = 0.6;
/** The short image side at which STICK_WIDTH and JOINT_RADIUS hold (controlnet_aux detect_resolution). */
export const REFERENCE_SIDE = 512;
/** Keypoints scoring below this are not drawn (ControlNet's DWPose path); the neck needs both shoulders above it. */
export const KEYPOINT_THRESHOLD = 0.3;

/** Mask value for "repaint". */
export const MASK_ON = 255;
/**
 * Value the masked region takes in the masked image: diffusers' inpainting pipelines zero it in [-1, 1] units,
 * which is mid grey in bytes.
 */
export const MASKED_FILL = 128;

/** Negative prompt used when none is given. */
export const DEFAULT_NEGATIVE = 'blurry, lowres, bad anatomy, extra limbs, missing limbs, deformed hands, watermark, text';
/** Defaults of an edit job (the paper's GUI: 20 steps, guidance 7.5, ControlNet scale 1.0). */
export const EDIT_DEFAULTS = { steps: 20, seed: 42, cfg: 7.5, controlStrength: 1.0, timeoutMs: 600_000, workSide: 512 } as const;
/** Checkpoint names pinplace picks by itself, best first: an inpainting model, else an SD 1.5 base. */
export const CHECKPOINT_PREFERENCES: readonly RegExp[] = [/inpaint/i, /(v1-5|v1\.5|sd15|sd-1-5|sd_1\.5|1-5)/i];
/** ControlNet model names pinplace picks by itself. */
export const CONTROLNET_PREFERENCES: readonly RegExp[] = [/openpose/i];
/** The node classes the ComfyUI workflow needs. */
export const COMFY_NODE_TYPES = [
  'CheckpointLoaderSimple', 'LoadImage', 'ImageToMask', 'ControlNetLoader', 'CLIPTextEncode',
  'ControlNetApplyAdvanced', 'InpaintModelConditioning', 'KSampler', 'VAEDecode', 'SaveImage',
] as const;
/** Id of the SaveImage node in our ComfyUI workflow. */
export const COMFY_SAVE_NODE = '13';
