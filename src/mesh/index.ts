/** Public API of src/mesh. */
export {
  SMPL_JOINT_NAMES, SMPL_PARENTS, NUM_BETAS, BETA_NAMES, REST_PELVIS_HEIGHT, FACE_OFFSETS, COCO_FROM_SMPL, HEAD_JOINT,
  HEAD_SCALE, MEAN_REST_JOINTS, JOINT_SHAPEDIRS, JOINT_LIMITS, POSE_LOWER, POSE_UPPER, RELAXED_POSE, restJoints,
  faceOffsets, posedJoints, rodrigues, clampPose, type BodyParams, type JointLimit,
} from './kinematics.ts';
export * from './types.ts';
export { BODY_MODEL_NAME, FIT_STAGES, FIT_WEIGHTS } from './constants.ts';
export { type JointModel, defaultJointModel, poseJoints, JointScratch } from './joint-model.ts';
export { BodyModel, bodyModelFromArrays, loadBodyModel } from './body-model.ts';
export { lbs, blendShapes, regressJoints, rodrigues as rodriguesTf, rigidTransforms } from './lbs.ts';
export { fitPersonLm, defaultCamera, FACING_CAMERA, FACING_AWAY } from './fitter.ts';
export { fitPeopleGradient } from './gradient-solver.ts';
export { fit, fitPeople, toBodyFile, bodyJsonText, bodyMeshFiles, posedVertices, defaultBodyModel, setBodyModelUrl, type FitOptions, type FitResult } from './fit.ts';
export { writeGlb, writeObj } from './gltf-export.ts';
export { renderMeshes } from './render-mesh.ts';
export { syntheticCase, mulberry32 } from './synthetic.ts';
export { decodeNpz, encodeNpz } from './npz.ts';
