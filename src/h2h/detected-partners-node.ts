/**
 * Node-only: the training partners as the detector sees them.
 *
 * At inference the partner's skeleton usually comes from `pinplace detect` (MoveNet), whose errors on a partner are
 * not random jitter: arm joints hidden behind the body are missed, wrists and elbows land on the wrong part of the
 * arm, left and right swap on a figure seen from behind. Training on the exact skeletons only leaves the model
 * unprepared for that. `detectedPartners` runs the detector on every training partner once (poseInBox on the partner
 * box: MoveNet on the crop around it plus the refinement pass, as `detect` does for a matched person) and caches the
 * result next to the data set (`.pinplace-detected-partners-<key>.json`, key = detector settings), so that the
 * sample source can offer the detected skeleton beside the exact one (h2h-source.ts).
 */
import { readFile, writeFile, rename } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readImage } from '../io/image.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { DEFAULT_DETECT_CONFIG, PEOPLE_MODEL } from './constants.ts';
import type { H2hSample } from './h2h-data-node.ts';
import type { DetectConfig } from './types.ts';

/** Cache file name of the detected partners of a data set for a detector configuration. */
export function detectedPartnersCacheName(config: DetectConfig = {}): string {
  // version 2: the second look's two readings agree on left/right before they are merged (merge-readings.ts)
  const cfg = { ...DEFAULT_DETECT_CONFIG, ...config, model: PEOPLE_MODEL, version: 2 };
  const key = createHash('sha1').update(JSON.stringify(cfg)).digest('hex').slice(0, 12);
  return `.pinplace-detected-partners-${key}.json`;
}

/**
 * The detector's skeleton (image pixels, 17 `[x, y, c]`) of each sample's partner, or null where it found fewer
 * than `minKeypoints` joints. Cached in `cacheDir` (written every 200 partners, so an interrupted run resumes).
 */
export async function detectedPartners(
  samples: readonly H2hSample[], cacheDir: string,
  o: {
    config?: DetectConfig; onProgress?: (done: number, total: number) => void;
    /** The pose detector (default: detect-node.ts poseInBox on the image file). */
    pose?: (imagePath: string, box: Box, config?: DetectConfig) => Promise<Keypoint[] | null>;
  } = {},
): Promise<Array<Keypoint[] | null>> {
  const file = join(cacheDir, detectedPartnersCacheName(o.config));
  const cache: Record<string, Keypoint[] | null> = existsSync(file) ? JSON.parse(await readFile(file, 'utf8')) : {};
  const keyOf = (s: H2hSample) => `${basename(s.imagePath)}#${s.partner.id}`;
  const todo = samples.filter((s) => !(keyOf(s) in cache));
  const save = async () => { await writeFile(`${file}.tmp`, JSON.stringify(cache)); await rename(`${file}.tmp`, file); };
  if (todo.length) {
    const pose = o.pose ?? (async (path: string, box: Box, config?: DetectConfig) => (await import('./detect-node.ts')).poseInBox(await readImage(path), box, config));
    let done = 0;
    for (const s of todo) {
      const key = keyOf(s);
      if (!(key in cache)) cache[key] = await pose(s.imagePath, s.partner.box, o.config);
      done++;
      o.onProgress?.(done, todo.length);
      if (done % 200 === 0) await save();
    }
    await save();
  }
  return samples.map((s) => cache[keyOf(s)] ?? null);
}
