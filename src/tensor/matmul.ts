/**
 * Matrix product for trainable layers on any tfjs backend, wasm first.
 *
 * - Gradient: explicit transposes followed by plain matMuls (dA = dY B^T, dB = A^T dY). On the wasm backend a
 *   transposed BatchMatMul is about 9x slower than an untransposed one, and tf.matMul's own gradient uses transposed
 *   products; this made a training step 5x faster on the 2-core machine.
 * - Fresh right-hand operands while a gradient is recorded: tfjs-backend-wasm caches an XNNPACK operator (with packed
 *   weights) per right-hand tensor id; in long training runs a reused id was seen to return NaN from finite inputs
 *   (reproducible for that id, gone for a copy of the same values), so each taped product gets a right-hand tensor
 *   used exactly once.
 * - Inference (no gradient recorded) takes the plain kernel.
 */
import * as tf from '@tensorflow/tfjs';

/** Whether a gradient is being recorded. */
export function taping(): boolean {
  return (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

const fresh = (x: tf.Tensor): tf.Tensor => tf.add(x, 0);

function transposeLast2(x: tf.Tensor): tf.Tensor {
  const r = x.rank;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return tf.transpose(x, perm);
}

/** Reduce a broadcast gradient back to the shape of its input (batch dimensions only). */
function reduceTo(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.rank === shape.length && grad.shape.every((d, i) => d === shape[i])) return grad;
  const lead = grad.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank - 2; i++) {
    const si = i - lead;
    if (si < 0 || shape[si] === 1) axes.push(i);
  }
  const summed = axes.length ? tf.sum(grad, axes, true) : grad;
  return tf.reshape(summed, shape);
}

const tapedMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, fresh(b)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      const da = tf.matMul(dy, transposeLast2(sb));
      const db = tf.matMul(transposeLast2(sa), fresh(dy));
      return [reduceTo(da, sa.shape), reduceTo(db, sb.shape)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

interface TapeNodeLike { inputs: Record<string, tf.Tensor>; outputs: tf.Tensor[] }
/** Tensors declared constant (inputs of a batch, the skeleton adjacency): no gradient flows into them. */
const constants = new WeakSet<tf.Tensor>();
/** Per gradient tape: the ids of tensors computed from constants only, and how many tape nodes were read. */
const derived = new WeakMap<object, { read: number; ids: Set<number> }>();

const trainableVariable = (t: tf.Tensor): boolean => t instanceof tf.Variable && t.trainable;

/** Declare tensors constant for needsGradient (data fed to a model: no gradient is ever asked for them). */
export function markConstant(...ts: Array<tf.Tensor | undefined>): void {
  for (const t of ts) if (t) constants.add(t);
}

/**
 * Whether a gradient may flow into `t` while a gradient is recorded: false only for tensors declared constant
 * (markConstant) and tensors computed on the active tape from such constants alone (an op with any other input, even
 * a scalar it made, counts as needing one); anything else (variables, intermediates, the inputs of tf.grads) may need
 * one. The taped matMul skips the gradient products of constant operands.
 */
export function needsGradient(t: tf.Tensor): boolean {
  if (trainableVariable(t)) return true;
  if (constants.has(t)) return false;
  const tape = (tf.engine() as unknown as { state: { activeTape: TapeNodeLike[] | null } }).state.activeTape;
  if (!tape) return true;
  let d = derived.get(tape);
  if (!d) { d = { read: 0, ids: new Set() }; derived.set(tape, d); }
  for (; d.read < tape.length; d.read++) {
    const node = tape[d.read];
    let constant = true;
    for (const k in node.inputs) {
      const x = node.inputs[k];
      if (x && !(constants.has(x) || d.ids.has(x.id))) { constant = false; break; }
    }
    if (constant) for (const o of node.outputs) d.ids.add(o.id);
  }
  return !d.ids.has(t.id);
}

/** `a @ b` with a gradient for `a` only (b a constant). */
function gradForA(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return (tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, b]);
    return {
      value: tf.matMul(x, fresh(b)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [reduceTo(tf.matMul(dy, transposeLast2(saved[1])), saved[0].shape)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor)(a);
}

/** `a @ b` with a gradient for `b` only (a a constant). */
function gradForB(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return (tf.customGrad(((y: tf.Tensor, save: tf.GradSaveFunc) => {
    save([a, y]);
    return {
      value: tf.matMul(a, fresh(y)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [reduceTo(tf.matMul(transposeLast2(saved[0]), fresh(dy)), saved[1].shape)],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (y: tf.Tensor) => tf.Tensor)(b);
}

/**
 * `a @ b` for rank >= 2 tensors (batch dimensions broadcast like tf.matMul) with the transpose-explicit gradient;
 * while a gradient is recorded, operands declared constant (needsGradient) get no gradient product.
 */
export function matMul<R extends tf.Rank>(a: tf.Tensor, b: tf.Tensor): tf.Tensor<R> {
  if (!taping()) return tf.matMul(a, b) as tf.Tensor<R>;
  const ga = needsGradient(a), gb = needsGradient(b);
  if (ga && gb) return tapedMatMul(a, b) as tf.Tensor<R>;
  if (ga) return gradForA(a, b) as tf.Tensor<R>;
  if (gb) return gradForB(a, b) as tf.Tensor<R>;
  return tf.matMul(a, b) as tf.Tensor<R>;
}
