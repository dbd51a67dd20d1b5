/**
 * A ComfyUI /object_info fixture for the node types the edit workflow uses, in the server's own shape
 * (input.required / input.optional as [TYPE, options] or [[combo values], options]; output; output_node).
 * Used by the fake ComfyUI server; the lists of installed models are parameters.
 */

export interface ComfyNodeInfo {
  input: { required: Record<string, unknown[]>; optional?: Record<string, unknown[]> };
  input_order?: { required: string[]; optional?: string[] };
  output: string[];
  output_is_list: boolean[];
  output_name: string[];
  name: string;
  display_name: string;
  description: string;
  python_module: string;
  category: string;
  output_node: boolean;
}

export const KSAMPLER_SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'dpmpp_2m', 'dpmpp_sde', 'ddim', 'uni_pc', 'lcm'];
export const KSAMPLER_SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta'];

export interface ObjectInfoOptions {
  checkpoints: string[];
  controlnets: string[];
  /** Names in the input folder (LoadImage's list). */
  inputs: string[];
  /** Leave these node types out (an old or stripped-down server). */
  without?: string[];
  /** Whether InpaintModelConditioning has the newer noise_mask input [true]. */
  noiseMask?: boolean;
}

function node(name: string, category: string, required: Record<string, unknown[]>, output: string[], extra: Partial<ComfyNodeInfo> = {}): ComfyNodeInfo {
  return {
    input: { required, ...(extra.input?.optional ? { optional: extra.input.optional } : {}) },
    input_order: { required: Object.keys(required), ...(extra.input?.optional ? { optional: Object.keys(extra.input.optional) } : {}) },
    output,
    output_is_list: output.map(() => false),
    output_name: extra.output_name ?? output,
    name,
    display_name: extra.display_name ?? name,
    description: '',
    python_module: 'nodes',
    category,
    output_node: extra.output_node ?? false,
  };
}

/** The object_info map for the edit workflow's node types. */
export function comfyObjectInfo(o: ObjectInfoOptions): Record<string, ComfyNodeInfo> {
  const cond = ['CONDITIONING'];
  const all: Record<string, ComfyNodeInfo> = {
    CheckpointLoaderSimple: node('CheckpointLoaderSimple', 'loaders', {
      ckpt_name: [o.checkpoints, { tooltip: 'The name of the checkpoint (model) to load.' }],
    }, ['MODEL', 'CLIP', 'VAE'], { display_name: 'Load Checkpoint' }),
    LoadImage: node('LoadImage', 'image', { image: [o.inputs, { image_upload: true }] }, ['IMAGE', 'MASK'], { display_name: 'Load Image' }),
    ImageToMask: node('ImageToMask', 'mask', { image: ['IMAGE'], channel: [['red', 'green', 'blue', 'alpha']] }, ['MASK'], { display_name: 'Convert Image to Mask' }),
    ControlNetLoader: node('ControlNetLoader', 'loaders', { control_net_name: [o.controlnets] }, ['CONTROL_NET'], { display_name: 'Load ControlNet Model' }),
    CLIPTextEncode: node('CLIPTextEncode', 'conditioning', {
      text: ['STRING', { multiline: true, dynamicPrompts: true }], clip: ['CLIP'],
    }, ['CONDITIONING'], { display_name: 'CLIP Text Encode (Prompt)' }),
    ControlNetApplyAdvanced: node('ControlNetApplyAdvanced', 'conditioning/controlnet', {
      positive: cond, negative: cond, control_net: ['CONTROL_NET'], image: ['IMAGE'],
      strength: ['FLOAT', { default: 1.0, min: 0.0, max: 10.0, step: 0.01 }],
      start_percent: ['FLOAT', { default: 0.0, min: 0.0, max: 1.0, step: 0.001 }],
      end_percent: ['FLOAT', { default: 1.0, min: 0.0, max: 1.0, step: 0.001 }],
    }, ['CONDITIONING', 'CONDITIONING'], { output_name: ['positive', 'negative'], display_name: 'Apply ControlNet', input: { required: {}, optional: { vae: ['VAE'] } } }),
    InpaintModelConditioning: node('InpaintModelConditioning', 'conditioning/inpaint', {
      positive: cond, negative: cond, vae: ['VAE'], pixels: ['IMAGE'], mask: ['MASK'],
      ...(o.noiseMask === false ? {} : { noise_mask: ['BOOLEAN', { default: true, tooltip: 'Add a noise mask to the latent' }] }),
    }, ['CONDITIONING', 'CONDITIONING', 'LATENT'], { output_name: ['positive', 'negative', 'latent'] }),
    KSampler: node('KSampler', 'sampling', {
      model: ['MODEL'],
      seed: ['INT', { default: 0, min: 0, max: 0xffffffffffffffff, control_after_generate: true }],
      steps: ['INT', { default: 20, min: 1, max: 10000 }],
      cfg: ['FLOAT', { default: 8.0, min: 0.0, max: 100.0, step: 0.1, round: 0.01 }],
      sampler_name: [KSAMPLER_SAMPLERS],
      scheduler: [KSAMPLER_SCHEDULERS],
      positive: cond, negative: cond, latent_image: ['LATENT'],
      denoise: ['FLOAT', { default: 1.0, min: 0.0, max: 1.0, step: 0.01 }],
    }, ['LATENT']),
    VAEDecode: node('VAEDecode', 'latent', { samples: ['LATENT'], vae: ['VAE'] }, ['IMAGE'], { display_name: 'VAE Decode' }),
    SaveImage: node('SaveImage', 'image', {
      images: ['IMAGE'], filename_prefix: ['STRING', { default: 'ComfyUI' }],
    }, [], { output_node: true, display_name: 'Save Image' }),
  };
  for (const w of o.without ?? []) delete all[w];
  return all;
}
