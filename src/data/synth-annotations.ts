/**
 * Synthetic samples -> the SPEC data-set format: COCO keypoints JSON (`images`, `annotations`, `categories`) with
 * `obj_bbox` (xyxy), `class` (actions) and the extensions `obj_category` and `partner_id`, plus a `synth` block per
 * annotation (camera-frame 3D joints, whether the person is drawn, the setting) that other readers ignore.
 */
import { xyxyToXywh } from '../skeleton/calculators/box.ts';
import { COCO_PERSON_CATEGORY } from './constants.ts';
import type { CocoKeypointsFile, CocoAnnotation, CocoImage } from './formats.ts';
import type { SynthSample } from './types.ts';

/** File name of sample `index` inside DIR/images/. */
export const synthImageName = (index: number): string => `${String(index).padStart(6, '0')}.png`;

/** Image and annotation records of one sample; annotation ids are assigned from `nextId`. */
export function sampleRecords(s: SynthSample, nextId: number): { image: CocoImage; annotations: CocoAnnotation[] } {
  const imageId = s.index + 1;
  const image: CocoImage = { id: imageId, file_name: synthImageName(s.index), width: s.width, height: s.height, camera: s.camera };
  const ids = s.people.map((_, i) => nextId + i);
  const annotations = s.people.map((p, i): CocoAnnotation => {
    const bbox = xyxyToXywh(p.box).map(r2) as [number, number, number, number];
    const a: CocoAnnotation = {
      id: ids[i], image_id: imageId, category_id: 1, iscrowd: 0,
      keypoints: p.keypoints.flat(),
      num_keypoints: p.keypoints.filter((k) => k[2] > 0).length,
      bbox, area: r2(bbox[2] * bbox[3]),
      obj_bbox: p.objects.map((o) => o.box.map(r2) as [number, number, number, number]),
      class: p.objects.map((o) => o.action),
      obj_category: p.objects.map((o) => o.category),
    };
    if (p.partner !== undefined) a.partner_id = ids[p.partner];
    a.synth = { drawn: p.drawn, setting: s.template.setting, joints3d: p.joints3d };
    return a;
  });
  return { image, annotations };
}

/** The whole annotation file. */
export function annotationFile(images: CocoImage[], annotations: CocoAnnotation[], info: Record<string, unknown>): CocoKeypointsFile {
  return { info, images, annotations, categories: [COCO_PERSON_CATEGORY] };
}

const r2 = (v: number) => Math.round(v * 100) / 100;
