/**
 * Request bodies of the JSON API as zod schemas. They validate every request and also produce the OpenAPI
 * document (openapi.ts), so the two never disagree.
 */
import { z } from 'zod';
import { skeletonFileSchema } from '../data/formats.ts';
import { ID_PATTERN } from './constants.ts';
import { MAX_SEED } from '../skeleton/constants.ts';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** `[x1, y1, x2, y2]` in image pixels, non-empty. */
export const boxSchema = z.tuple([finite, finite, finite, finite])
  .refine((b) => b[2] > b[0] && b[3] > b[1], 'box must have x2 > x1 and y2 > y1')
  .describe('[x1, y1, x2, y2] in image pixels');
const keypointSchema = z.tuple([finite, finite, finite.pipe(z.number().min(0).max(1))]);
const keypoints17 = z.array(keypointSchema).length(17).describe('COCO-17 keypoints [x, y, c] in image pixels');

/** An uploaded image, by the id POST /api/images returned. */
export const imageIdSchema = z.string().regex(ID_PATTERN, 'must be an image id from POST /api/images (16 hex digits)');

export const pinSchema = z.strictObject({
  joint: z.number().int().min(0).max(16).describe('COCO-17 joint index'),
  x: finite,
  y: finite,
});

const seed = z.number().int().min(0).max(MAX_SEED);

export function generateRequestSchema(maxSamples: number) {
  return z.strictObject({
    image: imageIdSchema,
    person_box: boxSchema,
    object_box: boxSchema,
    category: z.string().min(1).max(64).optional(),
    action: z.string().min(1).max(64).optional(),
    samples: z.number().int().min(1).max(maxSamples).optional(),
    seed: seed.optional(),
    pins: z.array(pinSchema).max(17).optional().describe('joints to keep fixed; the rest is generated around them'),
    sampler: z.enum(['official', 'ddim']).optional(),
    hand: z.enum(['left', 'right']).optional().describe("the person's own hand that does the interaction; samples with it come first"),
  });
}

export function h2hRequestSchema(maxSamples: number) {
  return z.strictObject({
    image: imageIdSchema,
    person_box: boxSchema,
    partner_box: boxSchema,
    partner_keypoints: keypoints17.optional().describe('the partner skeleton; detected in the image when absent'),
    action: z.string().min(1).max(64).optional(),
    samples: z.number().int().min(1).max(maxSamples).optional(),
    seed: seed.optional(),
    pins: z.array(pinSchema).max(17).optional(),
  });
}

export const fitRequestSchema = z.strictObject({
  skeleton: skeletonFileSchema,
  sample: z.number().int().min(0).optional(),
  focal: z.number().positive().max(1e6).optional().describe('focal length in pixels'),
  partner: z.boolean().optional().describe('also fit the partner of an h2h skeleton'),
});

export const detectRequestSchema = z.strictObject({ image: imageIdSchema });

export const guidanceRequestSchema = z.strictObject({
  image: imageIdSchema,
  skeleton: skeletonFileSchema,
  sample: z.number().int().min(0).optional(),
});

export const editRequestSchema = z.strictObject({
  image: imageIdSchema,
  skeleton: skeletonFileSchema,
  sample: z.number().int().min(0).optional(),
  server: z.url({ protocol: /^https?$/ }).optional()
    .describe("base URL of a ComfyUI or AUTOMATIC1111 server: omit it to use the server's configured one (the only one allowed when set); with none configured, a loopback URL"),
  api: z.enum(['comfyui', 'a1111']).optional(),
  prompt: z.string().min(1).max(2000),
  negative: z.string().max(2000).optional(),
  steps: z.number().int().min(1).max(150).optional(),
  seed: seed.optional(),
  checkpoint: z.string().max(200).optional(),
  controlnet: z.string().max(200).optional(),
  timeout: z.number().positive().max(3600).optional().describe('seconds'),
});

export type GenerateRequest = z.infer<ReturnType<typeof generateRequestSchema>>;
export type H2hRequest = z.infer<ReturnType<typeof h2hRequestSchema>>;
export type FitRequest = z.infer<typeof fitRequestSchema>;
export type DetectRequest = z.infer<typeof detectRequestSchema>;
export type GuidanceRequest = z.infer<typeof guidanceRequestSchema>;
export type EditRequest = z.infer<typeof editRequestSchema>;
