/**
 * The bundled sample scene shown when the viewer opens: assets/sample/scene.json and its image, generated and
 * fitted once (on server start or first request) and cached. Missing pieces become notes, never errors, so the
 * viewer always has something to show.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { oneLine } from '../errors.ts';
import { parseJsonText } from '../data/formats.ts';
import { readImage } from '../io/image.ts';
import type { FitResultInfo, ImageInfo, PinplaceService, SkeletonResult } from './service.ts';
import type { SkeletonFile } from '../data/formats.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import type { SampleSceneSpec } from './types.ts';

/** What GET /api/sample answers. */
export interface SampleSceneResult {
  available: boolean;
  scene?: SampleSceneSpec;
  image?: ImageInfo;
  generated?: SkeletonResult;
  fitted?: FitResultInfo;
  /** Why a part is missing (no model, no fitter, ...). */
  notes: string[];
  ms: number;
}

/** Number of samples generated for the sample scene (the viewer's sample picker). */
export const SAMPLE_SCENE_SAMPLES = 4;
export const SAMPLE_SCENE_SEED = 1;

export class SampleScene {
  private cached: Promise<SampleSceneResult> | null = null;

  constructor(private readonly service: PinplaceService, private readonly dir: string | null, private readonly log: Logger) {}

  /** The scene, computed on the first call and cached. */
  get(): Promise<SampleSceneResult> {
    this.cached ??= this.compute();
    return this.cached;
  }

  private async compute(): Promise<SampleSceneResult> {
    const t0 = performance.now();
    const notes: string[] = [];
    const done = (r: Omit<SampleSceneResult, 'ms' | 'notes'>): SampleSceneResult => {
      const out = { ...r, notes, ms: Math.round(performance.now() - t0) };
      this.log.info({ ms: out.ms, notes }, 'sample scene ready');
      return out;
    };
    if (!this.dir) return done({ available: false });
    let scene: SampleSceneSpec;
    let image: ImageInfo;
    try {
      scene = parseJsonText(await readFile(join(this.dir, 'scene.json'), 'utf8'), 'scene.json') as SampleSceneSpec;
      const img = await readImage(join(this.dir, scene.image ?? 'scene.png'));
      image = await this.service.addImage(img);
    } catch (err) {
      notes.push(`no sample scene: ${oneLine(err)}`);
      return done({ available: false });
    }
    let generated: SkeletonResult | undefined;
    let fitted: FitResultInfo | undefined;
    try {
      generated = await this.service.generate({
        image: image.id, person_box: scene.person_box, object_box: scene.object_box,
        ...(scene.category ? { category: scene.category } : {}),
        ...(scene.action ? { action: scene.action } : {}),
        samples: SAMPLE_SCENE_SAMPLES, seed: SAMPLE_SCENE_SEED,
      });
    } catch (err) {
      notes.push(`generate: ${oneLine(err)}`);
      const ref = referenceSkeleton(scene, image);
      if (ref) {
        generated = await this.service.storeSkeleton(image.id, ref);
        notes.push("showing the scene's reference skeleton instead");
      }
    }
    if (generated) {
      try {
        fitted = await this.service.fit({ skeleton: generated.skeleton as never, sample: 0 });
      } catch (err) {
        notes.push(`fit: ${oneLine(err)}`);
      }
    }
    // The cached answer points at these files: keep them for the server's life.
    for (const id of [generated?.id, fitted?.id]) if (id) this.service.store.pin(id);
    return done({
      available: true, scene, image,
      ...(generated ? { generated } : {}),
      ...(fitted ? { fitted } : {}),
    });
  }
}

/** The scene's own reference pose (COCO [x, y, v], v > 0 visible) as a one-sample skeleton file, when it has one. */
export function referenceSkeleton(scene: SampleSceneSpec, image: ImageInfo): SkeletonFile | null {
  const ref = (scene as { reference_keypoints?: unknown }).reference_keypoints;
  if (!Array.isArray(ref) || ref.length !== 17) return null;
  const kps: Keypoint[] = [];
  for (const k of ref) {
    if (!Array.isArray(k) || k.length < 3 || !k.every((v) => typeof v === 'number' && Number.isFinite(v))) return null;
    kps.push([k[0], k[1], k[2] > 0 ? 1 : 0]);
  }
  return {
    image: { path: scene.image ?? 'scene.png', width: image.width, height: image.height },
    person_box: scene.person_box, object_box: scene.object_box,
    category: scene.category ?? null, action: scene.action ?? null,
    samples: [{ keypoints: kps }], source: 'reference',
  };
}
