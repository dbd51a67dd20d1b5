/**
 * tf.clone without a copy on the wasm backend.
 *
 * The wasm backend's Identity kernel copies its input into new memory, and the gradient tape clones every tensor it
 * saves for the backward pass (inputs of matMul, LayerNorm, the attention ops...): in a batch-64 training step that is
 * thousands of copies. Tensor data is immutable (a variable's assign replaces its data), so an Identity that shares the
 * input's data, counting one more reference as the wasm backend's own Reshape does (and as the cpu backend's Identity
 * does), is the same function without the copy.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCountingBackend { incRef(dataId: unknown): void }

let installed = false;

/** Replace the wasm backend's Identity kernel by the data-sharing one (idempotent; a no-op without the wasm kernels). */
export function useSharedIdentity(): void {
  if (installed) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  installed = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
