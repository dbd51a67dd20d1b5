/** Public API of src/h2h: human-to-human mode and person/object detection. */
export * from './types.ts';
export * from './constants.ts';
export { detect, loadDetector, openDetector, requirePeople, autoObject, poseInBox } from './detect-node.ts';
export { pickObject, rankObjects } from './pick-object.ts';
export { matchPartner, PARTNER_MIN_OVERLAP } from './match-partner.ts';
export { isDetectJson, partnerKeypointsFromJson } from './partner-keypoints.ts';
export { keypointBox } from './keypoint-box.ts';
export { h2h, resolvePartner, checkH2hInputs, normaliseAction, type H2hOptions, type H2hPin, type H2hSampler } from './h2h.ts';
export { loadH2hModel, readH2hModel, DEFAULT_H2H_MODEL_DIR } from './h2h-model.ts';
export { partnerTokens, partnerInCrop, partnerCondition, flipPartner, PARTNER_TOKENS } from './partner-tokens.ts';
export { handDistance, handsMeet, handPoint, HAND_EXTENSION } from './hand-contact.ts';
export { evaluateH2hPredictions, handContactStats, type H2hScene, type H2hEvalResult } from './evaluate.ts';
export { trainH2h, evaluateH2h, DEFAULT_TRAIN_H2H } from './train-h2h-node.ts';
export { mergeReadings, sameLeftRight, swapLeftRight, MERGE_MIN_SCORE } from './merge-readings.ts';
export { detectedLevel, detectedLevels, DETECTED_SEEN_SCORE, HIDDEN_LEVEL } from './detected-levels.ts';
