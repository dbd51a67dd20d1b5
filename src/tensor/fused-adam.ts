/**
 * Adam as one pass over typed arrays per parameter tensor, the same function as tf.train.adam (float32 rounding at
 * every step of the update, as the tensor ops round), without its ~14 tensor ops per parameter tensor and step.
 *
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)      t = number of applied steps
 *
 * All parameters are updated in one pass of the WebAssembly SIMD kernel of simd-gemm.ts (plain loops without SIMD),
 * with the moments kept in its memory, parameter tensor after parameter tensor; gradients are read once (and checked
 * for finiteness: a step with a non-finite gradient changes nothing). getWeights/setWeights use tf.train.adam's format (the iteration count named `iter`,
 * then the first moments named `<variable>/m`, then the second moments `<variable>/v`, matched by position), so
 * checkpoints written by either optimiser resume with the other.
 */
import * as tf from '@tensorflow/tfjs';
import { createGemm, type Gemm } from './simd-gemm.ts';

/** A named tensor (optimiser state). */
export interface NamedState { name: string; tensor: tf.Tensor }

const f = Math.fround;

export class FusedAdam {
  /** Learning rate of the next step (may be changed between steps: the step schedule). */
  learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** Applied steps. */
  iterations = 0;
  /** b^t products kept in float32 as tf.train.adam keeps them (a float32 variable multiplied once a step). */
  private acc1: number;
  private acc2: number;
  /** Per parameter tensor: name, shape, size and its offset (floats, a multiple of 4) in each area. */
  private layout: Array<{ name: string; shape: number[]; size: number; off: number }> = [];
  private total = 0;
  private kernel: Gemm | null = null;
  /** Areas of `total` floats: moments m and v, then gradient, parameter and output scratch. */
  private m = new Float32Array(0);
  private v = new Float32Array(0);
  private g = new Float32Array(0);
  private p = new Float32Array(0);
  private out = new Float32Array(0);

  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.acc1 = f(beta1);
    this.acc2 = f(beta2);
  }

  /** Lay out the areas for these tensors (names, shapes); moments start at 0. */
  private allocate(items: Array<{ name: string; shape: number[] }>): void {
    let off = 0;
    this.layout = items.map(({ name, shape }) => {
      const size = shape.reduce((a, b) => a * b, 1);
      const e = { name, shape: shape.slice(), size, off };
      off += (size + 3) & ~3;
      return e;
    });
    const n = (this.total = off);
    this.kernel = createGemm(5 * n * 4 + 64);
    const area = (i: number) => (this.kernel ? new Float32Array(this.kernel.memory.buffer, i * n * 4, n) : new Float32Array(n));
    [this.m, this.v, this.g, this.p, this.out] = [0, 1, 2, 3, 4].map(area);
  }

  /**
   * One step: grads[i] (or null: no gradient, the variable and its moments stay) for vars[i]. Returns false, changing
   * nothing, when a gradient holds a NaN or an infinity.
   */
  applyGradients(vars: tf.Variable[], grads: Array<tf.Tensor | null | undefined>): boolean {
    if (grads.length !== vars.length) throw new RangeError(`FusedAdam.applyGradients(): ${grads.length} gradients for ${vars.length} variables`);
    if (!this.layout.length) this.allocate(vars.map((x) => ({ name: x.name, shape: x.shape })));
    if (this.layout.length !== vars.length) throw new RangeError(`FusedAdam.applyGradients(): the state holds ${this.layout.length} variables, got ${vars.length}`);
    const { g, p } = this;
    const missing: number[] = [];
    for (let i = 0; i < vars.length; i++) {
      const e = this.layout[i];
      if (vars[i].size !== e.size) throw new RangeError(`FusedAdam.applyGradients(): variable ${vars[i].name} has ${vars[i].size} values, its state ${e.size}`);
      const t = grads[i];
      if (!t) { missing.push(i); g.fill(0, e.off, e.off + e.size); continue; }
      if (t.size !== e.size) throw new RangeError(`FusedAdam.applyGradients(): the gradient of ${vars[i].name} has ${t.size} values, the variable ${e.size}`);
      g.set(values(t), e.off);
      g.fill(0, e.off + e.size, e.off + ((e.size + 3) & ~3));
    }
    if (!allFinite(this.kernel, g, this.out)) return false;
    for (let i = 0; i < vars.length; i++) if (grads[i]) p.set(values(vars[i]), this.layout[i].off);
    // variables without a gradient keep their moments
    const kept = missing.map((i) => { const e = this.layout[i]; return [this.m.slice(e.off, e.off + e.size), this.v.slice(e.off, e.off + e.size)]; });
    const b1 = f(this.beta1), b2 = f(this.beta2), c1 = f(1 - this.beta1), c2 = f(1 - this.beta2);
    const omb1 = f(1 - this.acc1), omb2 = f(1 - this.acc2);
    const eps = f(this.epsilon), nlr = f(-this.learningRate);
    if (this.kernel) this.kernel.adam(p.byteOffset, g.byteOffset, this.m.byteOffset, this.v.byteOffset, this.out.byteOffset, this.total, b1, b2, c1, c2, omb1, omb2, eps, nlr);
    else adamLoop(p, g, this.m, this.v, this.out, this.total, b1, b2, c1, c2, omb1, omb2, eps, nlr);
    missing.forEach((i, j) => { const e = this.layout[i]; this.m.set(kept[j][0], e.off); this.v.set(kept[j][1], e.off); });
    const wasm = tf.getBackend() === 'wasm'; // copies a view into its own memory; other backends keep the array
    for (let i = 0; i < vars.length; i++) {
      if (!grads[i]) continue;
      const e = this.layout[i];
      const t = tf.tensor(wasm ? this.out.subarray(e.off, e.off + e.size) : this.out.slice(e.off, e.off + e.size), vars[i].shape, 'float32');
      vars[i].assign(t);
      t.dispose();
    }
    this.acc1 = f(this.acc1 * b1);
    this.acc2 = f(this.acc2 * b2);
    this.iterations++;
    return true;
  }

  /** State in tf.train.adam's format: [iter, first moments..., second moments...] (copies in new tensors; the caller disposes). */
  getWeights(): NamedState[] {
    const out: NamedState[] = [{ name: 'iter', tensor: tf.scalar(this.iterations, 'int32') }];
    for (const [area, tag] of [[this.m, 'm'], [this.v, 'v']] as const) {
      for (const e of this.layout) out.push({ name: `${e.name}/${tag}`, tensor: tf.tensor(area.slice(e.off, e.off + e.size), e.shape, 'float32') });
    }
    return out;
  }

  /** Restore getWeights' (or tf.train.adam's) state; moments are matched to variables by position. */
  setWeights(w: NamedState[]): void {
    if (!w.length) return;
    this.iterations = (w[0].tensor.dataSync() as ArrayLike<number>)[0];
    const rest = w.slice(1);
    if (rest.length % 2) throw new RangeError(`FusedAdam.setWeights(): expected first and second moments in pairs, got ${rest.length} tensors`);
    const n = rest.length / 2;
    this.allocate(rest.slice(0, n).map((x) => ({ name: x.name.replace(/\/m$/, ''), shape: x.tensor.shape })));
    this.layout.forEach((e, i) => {
      this.m.set(rest[i].tensor.dataSync() as Float32Array, e.off);
      this.v.set(rest[n + i].tensor.dataSync() as Float32Array, e.off);
    });
    // b^(t+1) as tf.train.adam's setWeights makes it
    this.acc1 = f(f(this.beta1) ** (this.iterations + 1));
    this.acc2 = f(f(this.beta2) ** (this.iterations + 1));
  }
}

/** A float32 tensor's values: a view of the wasm backend's memory (no copy; read it at once), else dataSync. */
function values(t: tf.Tensor): Float32Array {
  const be = tf.backend() as unknown as { typedArrayFromHeap?(t: tf.Tensor): Float32Array };
  return tf.getBackend() === 'wasm' && be.typedArrayFromHeap && t.dtype === 'float32' ? be.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/** Whether every value of g is finite (`scratch`: 4 floats of the kernel's memory). */
function allFinite(kernel: Gemm | null, g: Float32Array, scratch: Float32Array): boolean {
  if (kernel) {
    kernel.finite(g.byteOffset, g.length, scratch.byteOffset);
    return scratch[0] === 0 && scratch[1] === 0 && scratch[2] === 0 && scratch[3] === 0;
  }
  for (let k = 0; k < g.length; k++) if (g[k] - g[k] !== 0) return false;
  return true;
}

/** The kernel's step in plain loops (no WebAssembly SIMD). */
function adamLoop(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, out: Float32Array, n: number, b1: number, b2: number, c1: number, c2: number, omb1: number, omb2: number, eps: number, nlr: number): void {
  for (let k = 0; k < n; k++) {
    const gk = g[k];
    const mk = f(f(m[k] * b1) + f(gk * c1));
    const vk = f(f(v[k] * b2) + f(f(gk * gk) * c2));
    m[k] = mk;
    v[k] = vk;
    out[k] = f(f(f(f(mk / omb1) / f(f(Math.sqrt(f(vk / omb2))) + eps)) * nlr) + p[k]);
  }
}
