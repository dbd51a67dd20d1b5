/** `generate --object auto`: choose the detected object the new person most likely interacts with. */
import { UsageError } from '../errors.ts';
import { boxCenter, boxHeight, boxWidth, intersectionArea, type Box } from '../skeleton/calculators/box.ts';
import { personCropRegion } from '../skeleton/calculators/crop.ts';
import type { DetectedObject, Detections } from './types.ts';

/**
 * Rank the detected objects (people excluded) for a person to be placed in `personBox` and return the best, or throw
 * a one-line UsageError when no object lies inside the person's crop region (the region the model sees).
 *
 * Ranking: score x proximity, proximity = exp(-d / h) with d the distance between the box centres and h the person
 * box height; objects that touch the person box get proximity 1.
 */
export function pickObject(detections: Pick<Detections, 'objects' | 'image'>, personBox: Box): DetectedObject {
  const ranked = rankObjects(detections, personBox);
  if (ranked.length === 0) {
    const n = detections.objects.filter((o) => o.category !== 'person').length;
    throw new UsageError(`--object auto found ${n === 0 ? 'no object in the image' : `no object near the person box [${personBox.join(',')}] (${n} detected elsewhere)`}; pass --object x1,y1,x2,y2`);
  }
  return ranked[0].object;
}

/** All candidate objects with their ranking value, best first (see pickObject). */
export function rankObjects(detections: Pick<Detections, 'objects' | 'image'>, personBox: Box): Array<{ object: DetectedObject; rank: number }> {
  const { width, height } = detections.image;
  const r = personCropRegion(personBox, width, height);
  const region: Box | null = r ? [r[0], r[1], r[0] + r[2], r[1] + r[3]] : null;
  const h = Math.max(1, boxHeight(personBox));
  const [pcx, pcy] = boxCenter(personBox);
  return detections.objects
    .filter((o) => o.category !== 'person')
    .filter((o) => !region || intersectionArea(o.box, region) > 0.5 * boxWidth(o.box) * boxHeight(o.box))
    .map((object) => {
      const [cx, cy] = boxCenter(object.box);
      const touches = intersectionArea(object.box, personBox) > 0;
      const proximity = touches ? 1 : Math.exp(-Math.hypot(cx - pcx, cy - pcy) / h);
      return { object, rank: object.score * proximity };
    })
    .sort((a, b) => b.rank - a.rank);
}
