/** Public API of src/edit. */
export { drawOpenPoseMap, toOpenPoseJson, fromOpenPoseJson, openPosePoints, openPoseStrokeSizes, type OpenPoseMapOptions } from './openpose-map.ts';
export { personMask, hullMask, maskedImage, convexHull, type MaskOptions } from './mask.ts';
export { drawOverlay } from './overlay.ts';
export { guidanceFiles, guidanceRasters, posePeople, type GuidanceFiles, type GuidanceName } from './guidance.ts';
export { OPENPOSE_LIMBS, OPENPOSE_COLOURS } from './constants.ts';
export { edit, workSize, readSkeletonFile, type EditOptions, type EditOutput } from './edit.ts';
export { createClient, IMAGE_SERVER_APIS } from './create-client.ts';
export { buildComfyWorkflow, type ComfyGraph } from './comfyui-workflow.ts';
export type { EditRequest, EditResult, EditProgress, ImageServerApi, ImageServerClient, ImageServerConfig, RunOptions } from './types.ts';
