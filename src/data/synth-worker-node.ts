/**
 * Node-only worker of `writeSynthSet`: generates samples (pure functions of seed and index) off the main thread and
 * hands back their pixels by transfer. Started by synth-pool-node.ts.
 */
import { parentPort } from 'node:worker_threads';
import { synthSample, type SceneOptions } from './scene.ts';

parentPort!.on('message', (job: SceneOptions) => {
  try {
    const s = synthSample(job);
    parentPort!.postMessage({ ok: true, sample: s }, [s.rgb.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ ok: false, index: job.index, error: (err as Error).message });
  }
});
parentPort!.postMessage({ ready: true });
