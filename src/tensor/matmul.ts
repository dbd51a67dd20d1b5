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

/**
 * `a @ b` for rank >= 2 tensors (batch dimensions broadcast like tf.matMul) with the transpose-explicit gradient.
 */
export function matMul<R extends tf.Rank>(a: tf.Tensor, b: tf.Tensor): tf.Tensor<R> {
  return (taping() ? tapedMatMul(a, b) : tf.matMul(a, b)) as tf.Tensor<R>;
}
