/** Public API of src/data: the synthetic data generator and the data-set format. */
export { writeSynthSet, validateSynthOptions, type WriteSynthOptions, type WriteSynthResult } from './synth-writer-node.ts';
export { synthSample, templatesOf, type SynthKind, type SceneOptions } from './scene.ts';
export { HOI_TEMPLATES } from './hoi-templates.ts';
export { H2H_TEMPLATES } from './h2h-templates.ts';
export { contactSheet, type ContactSheet } from './preview.ts';
export { sampleRecords, annotationFile, synthImageName } from './synth-annotations.ts';
export { DEFAULT_SYNTH_SIZE, DEFAULT_SYNTH_SEED, COCO_PERSON_CATEGORY } from './constants.ts';
export type { SynthSample, SynthPerson, Interaction, InteractionTemplate, Contact } from './types.ts';
export { loadDataset, datasetFile, DATASET_FILES, type LoadDatasetOptions } from './dataset-node.ts';
export {
  cropTrainingSample, cropTargets, drawAugmentation, NO_AUGMENTATION, type Augmentation, type TrainCrop, type CropInput,
} from './crop-sample.ts';
export { Rng as SynthRng, hashSeed } from './rng.ts';
export type { Dataset, DatasetSample } from './types.ts';
