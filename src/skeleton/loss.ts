/**
 * The HOI loss (paper §3.2).
 *
 * L_joint = mean_{B,17,2} |J_gt - J_pred| * m_j * h_j, L_conf = mean_{B,17} |sigmoid(conf) - m_j|, L = L_joint + L_conf.
 * J_param over the joints with m_j = 1 (0 elsewhere), d_j = distance (256-crop pixels) of GT joint j to the centre
 * of the clipped object box:
 * - 'code' (official code): h = lambda * softmax(20 / d), lambda = 100;
 * - 'paper' (paper text):   h = lambda * softmax(1 / d),  lambda = 1e4;
 * - 'none':                 h = 1 (plain L1, the "without J_param" rows of Table 2).
 * d is floored at 1e-3 px (the code divides by zero when a joint sits on the centre).
 * `mix` < 1 blends J_param with uniform weights of the same total: h = lambda (mix J + (1 - mix) / n_valid).
 */
import { CROP_SIZE } from './calculators/crop.ts';
import { NUM_JOINTS } from './topology.ts';

export type JParamKind = 'code' | 'paper' | 'none';

export const DEFAULT_LAMBDA: Record<JParamKind, number> = { code: 100, paper: 1e4, none: 1 };

/** Per-joint weights h_j [17] for one sample (joints and box in crop units). */
export function jointWeights(joints: ArrayLike<number>, mask: ArrayLike<number>, objectBox: readonly number[], kind: JParamKind, lambda = DEFAULT_LAMBDA[kind], mix = 1): Float32Array {
  const h = new Float32Array(NUM_JOINTS);
  if (kind === 'none') { for (let j = 0; j < NUM_JOINTS; j++) h[j] = mask[j] ? lambda : 0; return h; }
  const cx = ((objectBox[0] + objectBox[2]) / 2) * CROP_SIZE, cy = ((objectBox[1] + objectBox[3]) / 2) * CROP_SIZE;
  const num = kind === 'code' ? 20 : 1;
  let max = -Infinity;
  const logit = new Float64Array(NUM_JOINTS);
  for (let j = 0; j < NUM_JOINTS; j++) {
    if (!mask[j]) continue;
    const d = Math.max(1e-3, Math.hypot(joints[2 * j] * CROP_SIZE - cx, joints[2 * j + 1] * CROP_SIZE - cy));
    logit[j] = num / d;
    max = Math.max(max, logit[j]);
  }
  let sum = 0;
  for (let j = 0; j < NUM_JOINTS; j++) if (mask[j]) sum += Math.exp(logit[j] - max);
  let nValid = 0;
  for (let j = 0; j < NUM_JOINTS; j++) if (mask[j]) nValid++;
  for (let j = 0; j < NUM_JOINTS; j++) h[j] = mask[j] ? lambda * ((mix * Math.exp(logit[j] - max)) / sum + (1 - mix) / nValid) : 0;
  return h;
}
