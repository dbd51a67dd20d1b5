/**
 * LayerNorm of a constant input followed by a linear layer, with the gradients of gamma, beta, W and b at once:
 *   y = (xhat gamma + beta) W + b,  xhat = LayerNorm(x) without its affine (x [R, K] needs no gradient)
 *   G = xhat^T dy,  dW = gamma G + beta (1^T dy),  dgamma = rowsum(W * G),  dbeta = W (1^T dy),  db = 1^T dy
 * The layer-by-layer gradient would form dx_ln = dy W^T (a product as large as dW's, plus a transpose of W) only to
 * reduce it to dgamma and dbeta; here G serves dW, dgamma and dbeta. Used for the image condition (1280 -> 17 x E).
 */
import * as tf from '@tensorflow/tfjs';

function xhatOf(x: tf.Tensor, eps: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  return tf.mul(xc, tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), eps)));
}

/** y [R, M] for a constant x [R, K], gamma, beta [K], W [K, M], b [M] (see the file comment). */
export function lnLinearConst(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, W: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  const xhat = xhatOf(x, eps);
  const xhatT = tf.transpose(xhat);
  const op = tf.customGrad(((g: tf.Tensor, bt: tf.Tensor, w: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
    save([g, bt, w, xhatT]); // xhatT too: the forward's intermediates are freed before the backward
    const ln = tf.add(tf.mul(xhat, g), bt);
    return {
      value: tf.fused.matMul({ a: ln as tf.Tensor2D, b: tf.add(w, 0) as tf.Tensor2D, bias }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sg, sb, sw, sxT] = saved;
        const [K, M] = sw.shape as number[];
        const G = tf.matMul(sxT, tf.add(dy, 0)); // [K, M]
        const cs = tf.sum(dy, 0); // [M]
        const dW = tf.add(tf.mul(G, tf.reshape(sg, [K, 1])), tf.mul(tf.reshape(sb, [K, 1]), tf.reshape(cs, [1, M])));
        const dg = tf.sum(tf.mul(sw, G), 1);
        const dbeta = tf.reshape(tf.matMul(sw, tf.reshape(cs, [M, 1])), [K]);
        return [dg, dbeta, dW, cs];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (g: tf.Tensor, bt: tf.Tensor, w: tf.Tensor, bias: tf.Tensor) => tf.Tensor;
  return op(gamma, beta, W, b);
}
