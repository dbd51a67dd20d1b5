/**
 * Trainable building blocks as plain matMuls (transpose-explicit gradient, src/tensor/matmul.ts), so that training
 * runs on wasm, which lacks gather gradients, einsum and conv weight gradients.
 */
import * as tf from '@tensorflow/tfjs';

/** Named trainable parameters of a model, in creation order. */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  /** Non-trainable state (BatchNorm running statistics). */
  readonly state = new Map<string, tf.Variable>();

  /** Normal(0, std) weights (seeded), zeros or ones. */
  add(name: string, shape: number[], init: number | 'zeros' | 'ones', rand: () => number, trainable = true): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (init === 'ones') data.fill(1);
    else if (typeof init === 'number') for (let i = 0; i < n; i++) data[i] = init * gaussian(rand);
    const v = tf.variable(tf.tensor(data, shape), trainable, `${name}_${uid++}`);
    (trainable ? this.vars : this.state).set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name) ?? this.state.get(name);
    if (!v) throw new Error(`ParamStore.get(): no parameter "${name}"`);
    return v;
  }

  /** All parameters and state, by name. */
  entries(): Array<[string, tf.Variable]> {
    return [...this.vars.entries(), ...this.state.entries()];
  }

  dispose(): void {
    for (const [, v] of this.entries()) v.dispose();
    this.vars.clear();
    this.state.clear();
  }
}
let uid = 0;

/** Standard normal from a uniform source (Box-Muller). */
export function gaussian(rand: () => number): number {
  let u = 0;
  while (u <= 1e-12) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * `a @ b` with the transpose-explicit gradient (as src/tensor/matmul.ts) and a fresh copy of every right-hand
 * operand. tfjs-backend-wasm caches an XNNPACK operator (with packed weights) per right-hand tensor id; in long
 * training runs a reused id was seen to return NaN from finite inputs (reproducible for that id, gone for a copy of
 * the same values), so each product here gets a right-hand tensor used exactly once.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return taping() ? (freshMatMul(a, b) as tf.Tensor) : tf.matMul(a, b);
}

/** Whether a gradient is being recorded (inference takes the plain, cheaper kernels). */
export function taping(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

const fresh = (x: tf.Tensor) => tf.add(x, 0);

function transposeLast2(x: tf.Tensor): tf.Tensor {
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.rank === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) if (i - lead < 0 || shape[i - lead] === 1) axes.push(i);
  return tf.reshape(axes.length ? tf.sum(grad, axes, true) : grad, shape);
}

const freshMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, fresh(b)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [reduceTo(tf.matMul(dy, transposeLast2(sb)), sa.shape), reduceTo(tf.matMul(transposeLast2(sa), fresh(dy)), sb.shape)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Linear layer on the last axis: x [..., in] @ W [in, out] + b [out]. */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const inDim = shape[shape.length - 1];
  const out = w.shape[1] as number;
  const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inDim]);
  let y: tf.Tensor;
  if (taping()) {
    y = matMul(x2, w);
    if (b) y = tf.add(y, b);
  } else {
    y = tf.fused.matMul({ a: x2 as tf.Tensor2D, b: w as tf.Tensor2D, ...(b ? { bias: b } : {}) }); // one kernel at inference
  }
  return x.rank === 2 ? y : tf.reshape(y, [...shape.slice(0, -1), out]);
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** GELU, sigmoid approximation x * sigmoid(1.702 x) (3 ops instead of the tanh form's 8). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

/** A seeded uniform [0, 1) generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
