/**
 * Evaluation of human-to-human mode on held-out h2h scenes:
 * - the official top-N / SPD (src/skeleton/metrics.ts) with the partner box as the object box, on the best-ranked
 *   sample of each scene;
 * - the interaction check: for hand-contact actions (handshake, high-five) the share of ALL generated samples whose
 *   hand is within HAND_CONTACT_TOLERANCE x the partner box height of a partner hand (hand centres estimated from
 *   the forearm, hand-contact.ts; the wrist-to-wrist variant is reported too).
 */
import { evaluateSkeletons, type MetricsResult, type MetricSample } from '../skeleton/metrics.ts';
import type { Box } from '../skeleton/calculators/box.ts';
import type { Keypoint } from '../skeleton/topology.ts';
import { HAND_CONTACT_ACTIONS, HAND_CONTACT_TOLERANCE } from './constants.ts';
import { handDistance } from './hand-contact.ts';

/** One held-out scene: the new person's ground truth and the partner. Image pixels. */
export interface H2hScene {
  id: number | string;
  imagePath: string;
  imageSize: [number, number];
  /** Tight box of the new person (GT). */
  personBox: Box;
  partner: { box: Box; keypoints: Keypoint[] };
  action: string | null;
  /** GT keypoints of the new person ([x, y, v], v > 0 annotated). */
  gt: Keypoint[];
}

export interface HandContactResult {
  /** Actions counted. */
  actions: readonly string[];
  scenes: number;
  samples: number;
  /** Samples whose hand (centre, hand-contact.ts) meets a partner hand, in %. */
  rate: number;
  /** Median hand distance in partner box heights. */
  medianDistance: number;
  /** Same check on the GT skeletons, in % (how often the data itself has the hands together). */
  gtRate: number;
  /** The check with wrists instead of hand centres (model samples, GT), in %. */
  wristRate: number;
  gtWristRate: number;
}

export interface H2hEvalResult {
  metrics: MetricsResult;
  handContact: HandContactResult;
  /** Per-action top-1 (official) and scene count. */
  perAction: Record<string, { scenes: number; top1: number; spd: number }>;
}

/** Hand-contact statistics over scenes with their generated samples. */
export function handContactStats(scenes: readonly H2hScene[], predictions: readonly Keypoint[][][], actions = HAND_CONTACT_ACTIONS, tolerance = HAND_CONTACT_TOLERANCE): HandContactResult {
  let n = 0, hit = 0, wristHit = 0, sceneCount = 0, gtN = 0, gtHit = 0, gtWristHit = 0;
  const dists: number[] = [];
  scenes.forEach((s, i) => {
    if (!s.action || !actions.includes(s.action)) return;
    sceneCount++;
    const gt = s.gt.map(([x, y, v]): Keypoint => [x, y, v]);
    const g = handDistance(gt, s.partner);
    if (Number.isFinite(g)) {
      gtN++;
      if (g <= tolerance) gtHit++;
      if (handDistance(gt, s.partner, 0) <= tolerance) gtWristHit++;
    }
    for (const p of predictions[i]) {
      const d = handDistance(p, s.partner);
      n++;
      if (Number.isFinite(d)) { dists.push(d); if (d <= tolerance) hit++; }
      if (handDistance(p, s.partner, 0) <= tolerance) wristHit++;
    }
  });
  dists.sort((a, b) => a - b);
  const pct = (k: number, of: number) => (of ? (100 * k) / of : NaN);
  return {
    actions, scenes: sceneCount, samples: n,
    rate: pct(hit, n),
    medianDistance: dists.length ? dists[dists.length >> 1] : NaN,
    gtRate: pct(gtHit, gtN),
    wristRate: pct(wristHit, n),
    gtWristRate: pct(gtWristHit, gtN),
  };
}

/**
 * Score predictions: `predictions[i]` are the samples (best first, image pixels) for `scenes[i]`. Top-N/SPD use
 * sample 0 with the partner box as the object box; the hand check uses every sample.
 */
export function evaluateH2hPredictions(scenes: readonly H2hScene[], predictions: readonly Keypoint[][][]): H2hEvalResult {
  if (scenes.length !== predictions.length) throw new RangeError(`evaluateH2hPredictions(): ${scenes.length} scenes but ${predictions.length} predictions`);
  const toSample = (s: H2hScene, i: number): MetricSample => ({ personBox: s.personBox, objectBox: s.partner.box, gt: s.gt, pred: predictions[i][0] });
  const metrics = evaluateSkeletons(scenes.map(toSample));
  const perAction: H2hEvalResult['perAction'] = {};
  const actions = [...new Set(scenes.map((s) => s.action ?? '(none)'))].sort();
  for (const a of actions) {
    const idx = scenes.flatMap((s, i) => ((s.action ?? '(none)') === a ? [i] : []));
    const m = evaluateSkeletons(idx.map((i) => toSample(scenes[i], i)));
    perAction[a] = { scenes: idx.length, top1: m.top1, spd: m.spd };
  }
  return { metrics, handContact: handContactStats(scenes, predictions), perAction };
}
