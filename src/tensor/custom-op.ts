/**
 * A tf.customGrad op for each value of a numeric parameter (heads, epsilon), made once and reused. customGrad takes
 * tensors only, so the parameter is closed over; `forward` gets it with the input tensors and tfjs's save function
 * and returns the value and its gradient function, as tf.customGrad expects.
 */
import * as tf from '@tensorflow/tfjs';

type Forward<T extends tf.Tensor[]> = (param: number, inputs: T, save: tf.GradSaveFunc) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
};

export function customOpPerParameter<T extends tf.Tensor[]>(forward: Forward<T>): (param: number, ...inputs: T) => tf.Tensor {
  const ops = new Map<number, (...inputs: tf.Tensor[]) => tf.Tensor>();
  return (param, ...inputs) => {
    let op = ops.get(param);
    if (!op) {
      const f = (...args: unknown[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        return forward(param, args as T, save);
      };
      op = tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;
      ops.set(param, op);
    }
    return op(...inputs);
  };
}
