/**
 * Node-only: what `pinplace train` and `pinplace h2h-train` share around the optimisation itself.
 *
 * - Resume: a checkpoint in the output directory with the same architecture and fewer steps done is picked up
 *   (weights, optimiser state, step); any other checkpoint is reported and the training starts afresh.
 * - Clock: the training time is the whole training's, the runs before a resumed one included.
 * - Log: `train-log.jsonl`, one line every 10 steps and at the end, written in step order (asynchronous appends
 *   can land out of order); a fresh training starts a fresh log, a resumed one appends to it. Nothing is written
 *   before the first line, so a run refused before it trains (a bad --init) leaves the output directory as it was.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelDir, readCheckpointState, readModelMeta } from './model-store-node.ts';
import type { ResumePoint, StepInfo } from './train.ts';
import type { ModelConfig } from './types.ts';

export interface TrainSession {
  /** The checkpoint this run continues, if any. */
  resume?: ResumePoint;
  /** Seconds of training so far, the runs before a resumed one included. */
  seconds(): number;
  /** Log a step (every 10th and the last of `steps`). */
  logStep(s: StepInfo): void;
  /** The closing line of the log. */
  logDone(record: Record<string, unknown>): void;
}

/**
 * Open the training of `steps` steps of a `config` model into `out`: find a checkpoint to resume, start the clock
 * (from `t0`, when the run began) and the log.
 */
export async function openTrainSession(
  out: string, config: ModelConfig, steps: number, log: (line: string) => void, t0 = performance.now(),
): Promise<TrainSession> {
  let resume: ResumePoint | undefined;
  let before = 0;
  const ck = await readCheckpointState(out).catch(() => null);
  if (ck && ck.state.step < steps) {
    const meta = await readModelMeta(out);
    if (JSON.stringify(meta.config) === JSON.stringify(config)) {
      const { model } = await loadModelDir(out);
      resume = { model, optimizer: ck.optimizer, step: ck.state.step };
      before = ck.state.seconds ?? 0;
      log(`resuming from step ${ck.state.step} of ${steps} in ${out}`);
    } else {
      log(`checkpoint in ${out} has another architecture; starting afresh`);
    }
  } else if (ck) {
    log(`${out} already holds a model trained for ${ck.state.step} steps; training again from scratch`);
  }
  if (ck && !resume) ck.optimizer.forEach((n) => n.tensor.dispose());
  const file = join(out, 'train-log.jsonl');
  let fresh = !resume;
  const line = (record: Record<string, unknown>) => {
    if (fresh) {
      mkdirSync(out, { recursive: true });
      rmSync(file, { force: true });
      fresh = false;
    }
    appendFileSync(file, JSON.stringify(record) + '\n');
  };
  return {
    resume,
    seconds: () => before + (performance.now() - t0) / 1000,
    logStep: (s) => {
      if (s.step % 10 === 0 || s.step === steps) line({ step: s.step, loss: s.loss, joint: s.lossJoint, conf: s.lossConf, lr: s.lr, ms: Math.round(s.ms), skipped: s.skipped });
    },
    logDone: line,
  };
}
