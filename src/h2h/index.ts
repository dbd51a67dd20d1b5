/** Public API of src/h2h: human-to-human mode and person/object detection. */
export * from './types.ts';
export * from './constants.ts';
export { detect, loadDetector, requirePeople } from './detect-node.ts';
export { pickObject, rankObjects } from './pick-object.ts';
export { matchPartner, PARTNER_MIN_OVERLAP } from './match-partner.ts';
export { partnerKeypointsFromJson } from './partner-keypoints.ts';
export { keypointBox } from './keypoint-box.ts';
