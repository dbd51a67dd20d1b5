/**
 * The diffusion schedule (cosine, Nichol & Dhariwal, s = 0.008, T = 1000, betas clipped at 0.999) and the
 * sinusoidal timestep embedding.
 */
import { COSINE_S, MAX_BETA } from './constants.ts';

/** alpha-bar_t for t = 0..T-1 of the cosine schedule (after clipping the betas). */
export function cosineAlphaBar(T: number): Float64Array {
  const f = (t: number) => Math.cos(((t / T + COSINE_S) / (1 + COSINE_S)) * (Math.PI / 2)) ** 2;
  const out = new Float64Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const beta = Math.min(1 - f(t + 1) / f(t), MAX_BETA);
    prod *= 1 - beta;
    out[t] = prod;
  }
  return out;
}

/** Spread of the joints the skip coefficients assume (person space: about half the box's half side). */
export const SKIP_SIGMA_DATA = 0.5;

/**
 * Skip coefficients of an x0 prediction at a step with alpha-bar `ab` (EDM's preconditioning, written for this
 * variance-preserving schedule): x0 = skip * x_t + out * F, where skip * x_t is the least-squares estimate of x0 from
 * x_t alone (data of spread `sd`) and F, the network's output, has unit spread as a target. At small t the model
 * then passes x_t through by construction instead of having to learn to copy it.
 */
export function skipCoefficients(ab: number, sd = SKIP_SIGMA_DATA): { skip: number; out: number } {
  const v = ab * sd * sd + (1 - ab);
  return { skip: (Math.sqrt(ab) * sd * sd) / v, out: Math.sqrt((sd * sd * (1 - ab)) / v) };
}

/** An x0-skip model's x0 from its network output `y` at a step with alpha-bar `ab`, in place: y <- skip x_t + out y (float32 per op). */
export function applyX0Skip(xt: Float32Array, y: Float32Array, ab: number): Float32Array {
  const f = Math.fround;
  const { skip, out } = skipCoefficients(ab);
  const s1 = f(skip), s2 = f(out);
  for (let k = 0; k < y.length; k++) y[k] = f(f(xt[k] * s1) + f(y[k] * s2));
  return y;
}

/**
 * Sinusoidal embedding of integer timesteps: [sin(t w_i), cos(t w_i)] with w_i = 10000^(-i/(dim/2)).
 * Returns [ts.length * dim], row-major.
 */
export function timestepEmbedding(ts: ArrayLike<number>, dim: number): Float32Array {
  const half = dim >> 1;
  const out = new Float32Array(ts.length * dim);
  for (let b = 0; b < ts.length; b++) {
    for (let i = 0; i < half; i++) {
      const w = Math.exp((-Math.log(10000) * i) / half);
      out[b * dim + i] = Math.sin(ts[b] * w);
      out[b * dim + half + i] = Math.cos(ts[b] * w);
    }
  }
  return out;
}
