/**
 * The SD1.5 inpainting + ControlNet-openpose workflow in ComfyUI's API format (a map of node id to
 * {class_type, inputs}; a link is [node id, output slot]). Pure.
 *
 *   1 CheckpointLoaderSimple -> MODEL, CLIP, VAE       7/8 CLIPTextEncode (positive / negative)
 *   2 LoadImage (masked scene)                           9 ControlNetApplyAdvanced (openpose map 5, model 6)
 *   3 LoadImage (mask) -> 4 ImageToMask (red)           10 InpaintModelConditioning -> positive, negative, latent
 *   5 LoadImage (pose map)   6 ControlNetLoader         11 KSampler -> 12 VAEDecode -> 13 SaveImage
 *
 * InpaintModelConditioning works with inpainting checkpoints and (with its noise mask) with plain SD1.5 ones.
 */
import { COMFY_SAVE_NODE } from './constants.ts';

/** A ComfyUI API-format graph. */
export type ComfyGraph = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: { title: string } }>;

export interface ComfyWorkflowParams {
  /** Names of the uploaded files as the server returned them (with "subfolder/" when it used one). */
  image: string;
  mask: string;
  pose: string;
  checkpoint: string;
  controlnet: string;
  prompt: string;
  negative: string;
  steps: number;
  seed: number;
  cfg: number;
  controlStrength: number;
  /** KSampler sampler and scheduler ['euler', 'normal']. */
  sampler?: string;
  scheduler?: string;
  /** SaveImage filename prefix ['pinplace']. */
  prefix?: string;
  /** Add InpaintModelConditioning's `noise_mask` input (servers that know it). */
  noiseMask?: boolean;
}

/** Build the workflow graph. */
export function buildComfyWorkflow(p: ComfyWorkflowParams): ComfyGraph {
  const node = (class_type: string, title: string, inputs: Record<string, unknown>) => ({ class_type, inputs, _meta: { title } });
  return {
    '1': node('CheckpointLoaderSimple', 'Load checkpoint', { ckpt_name: p.checkpoint }),
    '2': node('LoadImage', 'Masked scene', { image: p.image }),
    '3': node('LoadImage', 'Mask (white = repaint)', { image: p.mask }),
    '4': node('ImageToMask', 'Mask from red channel', { image: ['3', 0], channel: 'red' }),
    '5': node('LoadImage', 'OpenPose map', { image: p.pose }),
    '6': node('ControlNetLoader', 'Load ControlNet openpose', { control_net_name: p.controlnet }),
    '7': node('CLIPTextEncode', 'Positive prompt', { text: p.prompt, clip: ['1', 1] }),
    '8': node('CLIPTextEncode', 'Negative prompt', { text: p.negative, clip: ['1', 1] }),
    '9': node('ControlNetApplyAdvanced', 'Apply ControlNet', {
      positive: ['7', 0], negative: ['8', 0], control_net: ['6', 0], image: ['5', 0],
      strength: p.controlStrength, start_percent: 0.0, end_percent: 1.0,
    }),
    '10': node('InpaintModelConditioning', 'Inpaint conditioning', {
      positive: ['9', 0], negative: ['9', 1], vae: ['1', 2], pixels: ['2', 0], mask: ['4', 0],
      ...(p.noiseMask ? { noise_mask: true } : {}),
    }),
    '11': node('KSampler', 'Sample', {
      model: ['1', 0], positive: ['10', 0], negative: ['10', 1], latent_image: ['10', 2],
      seed: p.seed, steps: p.steps, cfg: p.cfg, sampler_name: p.sampler ?? 'euler', scheduler: p.scheduler ?? 'normal', denoise: 1.0,
    }),
    '12': node('VAEDecode', 'Decode', { samples: ['11', 0], vae: ['1', 2] }),
    [COMFY_SAVE_NODE]: node('SaveImage', 'Save', { images: ['12', 0], filename_prefix: p.prefix ?? 'pinplace' }),
  };
}
