/** Public API of src/skeleton: the object-interactive skeleton diffuser. */
export { generate, MAX_SAMPLES, type GenerateOptions } from './generate.ts';
export { Diffuser, tokenGeometry, GEOM_DIM, type ConditionInputs, type Condition } from './diffuser.ts';
export { trainDiffuser, learningRate, type SampleSource, type TrainOptions, type StepInfo, type NamedTensor } from './train.ts';
export { sampleSkeletons, runSampler, rankSamples, validateSamplerConfig, type CropPin, type SampleOptions } from './sampler.ts';
export {
  evaluateSkeletons, topNHit, spdSample, objectCoverage, jointOverlaps, jensenShannonDistance,
  type MetricSample, type MetricsResult,
} from './metrics.ts';
export { baselineStats, meanBaseline, nearestBaseline, boxGeometry, type BaselineStats } from './baselines.ts';
export { jointWeights, DEFAULT_LAMBDA, type JParamKind } from './loss.ts';
export { cosineAlphaBar, timestepEmbedding } from './schedule.ts';
export { conditionInputs, predictSkeletons } from './evaluate.ts';
export { mobileNetV2Backbone, tfjsDirBackbone, backboneFromLayers, cropFeatures, type Backbone, type CropFeatures } from './features.ts';
export { serializeModel, deserializeModel, parseModelMeta, type ModelMeta } from './model-io.ts';
export { loadModelDir, saveModelDir, DEFAULT_MODEL_DIR } from './model-store-node.ts';
export { readHoiSamples, featurizeSamples, FeatureSource, type HoiSample, type FeatureTable } from './dataset-node.ts';
export { trainOnData, type TrainRunOptions, type TrainReport } from './train-node.ts';
export { evaluateModel, evaluateBaseline, scorePredictions, modelPredictions } from './eval-node.ts';
export { roiAlign } from './calculators/roi-align.ts';
export { toCropUnits, fromCropUnits, objectBoxToCrop, type CropTargets } from './calculators/normalise.ts';
export { DEFAULT_MODEL_CONFIG, DEFAULT_SAMPLER_CONFIG, MODEL_FORMAT, MODEL_FORMAT_VERSION, COCO_CATEGORIES, VCOCO_ACTIONS } from './constants.ts';
export type { ModelConfig, SamplerConfig, AttentionKind, SampleFeatures, TrainExample, SampledSkeletons, Pin } from './types.ts';
