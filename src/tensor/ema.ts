/**
 * Exponential moving average of parameters (Polyak averaging, as diffusion models are usually trained): after every
 * optimiser step, shadow = decay * shadow + (1 - decay) * weight, in float32 typed arrays. The averaged weights are
 * the ones a run keeps at the end; checkpoints carry the shadow as named state (`ema/<variable>`) so a resumed run
 * continues the same average.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedState } from './fused-adam.ts';

/** Prefix of the shadow entries in a checkpoint's optimiser state. */
export const EMA_PREFIX = 'ema/';

export class ParameterEma {
  private shadow: Float32Array[] | null = null;

  constructor(readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`ParameterEma: decay must be in (0, 1), got ${decay}`);
  }

  /** Fold the variables' current values into the average (the first call copies them). */
  update(vars: readonly tf.Variable[]): void {
    if (!this.shadow) { this.shadow = vars.map((v) => Float32Array.from(v.dataSync() as Float32Array)); return; }
    if (this.shadow.length !== vars.length) throw new RangeError(`ParameterEma.update(): ${vars.length} variables, the average holds ${this.shadow.length}`);
    const d = Math.fround(this.decay), c = Math.fround(1 - this.decay);
    vars.forEach((v, i) => {
      const w = v.dataSync() as Float32Array, s = this.shadow![i];
      for (let k = 0; k < s.length; k++) s[k] = d * s[k] + c * w[k];
    });
  }

  /** Assign the averaged values to the variables (no-op before the first update). */
  applyTo(vars: readonly tf.Variable[]): void {
    if (!this.shadow) return;
    // copies: the cpu backend keeps a typed array by reference, and the shadow changes in place
    vars.forEach((v, i) => { const t = tf.tensor(this.shadow![i].slice(), v.shape, 'float32'); v.assign(t); t.dispose(); });
  }

  /** The shadow as named state (new tensors; the caller disposes). */
  getWeights(vars: readonly tf.Variable[]): NamedState[] {
    if (!this.shadow) return [];
    return vars.map((v, i) => ({ name: `${EMA_PREFIX}${v.name}`, tensor: tf.tensor(this.shadow![i].slice(), v.shape, 'float32') }));
  }

  /** Restore getWeights' state (matched to variables by position). */
  setWeights(state: readonly NamedState[]): void {
    if (!state.length) return;
    this.shadow = state.map((s) => Float32Array.from(s.tensor.dataSync() as Float32Array));
  }
}

/** Split a checkpoint's optimiser state into the optimiser's own entries and the EMA shadow. */
export function splitEmaState(state: readonly NamedState[]): { optimizer: NamedState[]; ema: NamedState[] } {
  return { optimizer: state.filter((s) => !s.name.startsWith(EMA_PREFIX)), ema: state.filter((s) => s.name.startsWith(EMA_PREFIX)) };
}
