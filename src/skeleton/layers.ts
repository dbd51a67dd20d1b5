/**
 * Trainable building blocks as plain matMuls (transpose-explicit gradient, src/tensor/matmul.ts), so that training
 * runs on wasm, which lacks gather gradients, einsum and conv weight gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul, taping } from '../tensor/matmul.ts';
import { layerNormOp } from '../tensor/layer-norm.ts';
import { gaussian } from '../random.ts';

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


export { matMul, taping } from '../tensor/matmul.ts';

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

/**
 * LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. While a gradient is recorded it is one
 * op each way with an analytic gradient (src/tensor/layer-norm.ts: dx = rstd (g' - mean(g') - xhat mean(g' xhat)),
 * g' = dy gamma).
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (taping()) return layerNormOp(x, gamma, beta, eps);
  return normalize(x, gamma, beta, eps).y;
}

function normalize(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): { y: tf.Tensor; xhat: tf.Tensor; rstd: tf.Tensor } {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  const rstd = tf.rsqrt(tf.add(variance, eps));
  const xhat = tf.mul(xc, rstd);
  return { y: tf.add(tf.mul(xhat, gamma), beta), xhat, rstd };
}

/** GELU, sigmoid approximation x * sigmoid(1.702 x) (3 ops instead of the tanh form's 8). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
}

export { gaussian, mulberry32 } from '../random.ts';
