import { describe, expect, it } from 'vitest';
import { buildComfyWorkflow, type ComfyGraph } from '../../src/edit/comfyui-workflow.ts';
import { comfyObjectInfo } from '../../src/edit/testing/comfy-object-info.ts';
import { validatePrompt } from '../../src/edit/testing/fake-comfyui.ts';

const inputs = new Map([['scene.png', Buffer.from('a')], ['mask.png', Buffer.from('b')], ['pose.png', Buffer.from('c')]]);
const info = comfyObjectInfo({ checkpoints: ['sd-v1-5-inpainting.ckpt'], controlnets: ['control_v11p_sd15_openpose.pth'], inputs: [...inputs.keys()] });
const params = {
  image: 'scene.png', mask: 'mask.png', pose: 'pose.png', checkpoint: 'sd-v1-5-inpainting.ckpt', controlnet: 'control_v11p_sd15_openpose.pth',
  prompt: 'a person', negative: 'blurry', steps: 20, seed: 42, cfg: 7.5, controlStrength: 1, noiseMask: true,
};
const graph = (): ComfyGraph => buildComfyWorkflow(params);
type Verdict = { error: { type: string; message: string; details: string }; node_errors: Record<string, { errors: Array<{ type: string; details: string }> }> };

describe('buildComfyWorkflow', () => {
  it('is the SD1.5 inpainting + ControlNet-openpose graph, valid for ComfyUI', () => {
    const g = graph();
    expect(Object.keys(g)).toHaveLength(13);
    expect(validatePrompt(g, info, inputs)).toBeNull();
    expect(g['4']).toMatchObject({ class_type: 'ImageToMask', inputs: { image: ['3', 0], channel: 'red' } });
    expect(g['9'].inputs).toMatchObject({ image: ['5', 0], control_net: ['6', 0], strength: 1 });
    expect(g['10'].inputs).toMatchObject({ pixels: ['2', 0], mask: ['4', 0], vae: ['1', 2], noise_mask: true });
    expect(g['11'].inputs).toMatchObject({ latent_image: ['10', 2], positive: ['10', 0], negative: ['10', 1], seed: 42, steps: 20, cfg: 7.5 });
    expect(g['13'].class_type).toBe('SaveImage');
  });
  it('leaves noise_mask out for servers without it', () => {
    expect(buildComfyWorkflow({ ...params, noiseMask: false })['10'].inputs).not.toHaveProperty('noise_mask');
  });
});

describe('the fake ComfyUI validates like ComfyUI', () => {
  const cases: Array<[string, (g: ComfyGraph) => void, string, string?]> = [
    ['unknown node type', (g) => { g['4'].class_type = 'ImageToMaskX'; }, 'invalid_prompt'],
    ['no output node', (g) => { delete g['13']; }, 'prompt_no_outputs'],
    ['missing required input', (g) => { delete g['11'].inputs.cfg; }, 'prompt_outputs_failed_validation', 'required_input_missing'],
    ['bad link arity', (g) => { g['12'].inputs.samples = ['11', 0, 1]; }, 'prompt_outputs_failed_validation', 'bad_linked_input'],
    ['output type mismatch', (g) => { g['12'].inputs.samples = ['1', 0]; }, 'prompt_outputs_failed_validation', 'return_type_mismatch'],
    ['checkpoint not installed', (g) => { g['1'].inputs.ckpt_name = 'nope.ckpt'; }, 'prompt_outputs_failed_validation', 'value_not_in_list'],
    ['image not uploaded', (g) => { g['5'].inputs.image = 'missing.png'; }, 'prompt_outputs_failed_validation', 'custom_validation_failed'],
    ['steps above max', (g) => { g['11'].inputs.steps = 20000; }, 'prompt_outputs_failed_validation', 'value_bigger_than_max'],
    ['seed not an integer', (g) => { g['11'].inputs.seed = 1.5; }, 'prompt_outputs_failed_validation', 'invalid_input_type'],
  ];
  it.each(cases)('%s', (_name, mutate, type, nodeType) => {
    const g = graph();
    mutate(g);
    const v = validatePrompt(g, info, inputs) as Verdict | null;
    expect(v?.error.type).toBe(type);
    if (nodeType) expect(Object.values(v!.node_errors).flatMap((n) => n.errors.map((e) => e.type))).toContain(nodeType);
  });
});
