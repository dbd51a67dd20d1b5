/**
 * The space the diffusion runs in (beyond the paper).
 *
 * The paper diffuses the joints in [0, 1] crop units, where the person box covers about 0.4 of the crop and a body's
 * joints spread about 0.1 around their mean. The official sampler's t = 100 adds noise of std 0.17: as large as the
 * body itself, so the network learns to ignore x_t, predicts one pose per condition, and where the condition leaves
 * two poses possible (which hand holds the phone) it returns their blend: both wrists half-way.
 *
 * 'person' space centres the joints on the tight person box and divides them by half its longer side, so every
 * annotated joint lies in [-1, 1] (the box is tight around them). There x_t keeps telling the network which pose it is
 * denoising, the sampler settles on one of the possible poses, and N samples are N distinct poses.
 *
 * A frame maps one condition's space to crop units: crop = z * scale + (cx, cy). Models without `jointSpace` (all
 * models before it existed) run in crop units, the identity frame.
 */
import { NUM_JOINTS } from '../topology.ts';

/** Where a model's diffusion runs: the paper's crop units, or centred and scaled on the tight person box. */
export type JointSpace = 'crop' | 'person';

/** The joint spaces a model config may name. */
export const JOINT_SPACES: readonly JointSpace[] = ['crop', 'person'];

/** crop = z * scale + (cx, cy). */
export interface JointFrame { cx: number; cy: number; scale: number }

/** The identity frame (crop-unit models). */
export const CROP_FRAME: JointFrame = { cx: 0, cy: 0, scale: 1 };

/** The frame of one condition: the identity for 'crop' (or absent), the tight person box (crop units) for 'person'. */
export function jointFrame(space: JointSpace | undefined, personBox: ArrayLike<number> | undefined): JointFrame {
  if ((space ?? 'crop') === 'crop') return CROP_FRAME;
  if (!personBox) throw new RangeError('jointFrame(): person space needs the person box');
  const x1 = personBox[0], y1 = personBox[1], x2 = personBox[2], y2 = personBox[3];
  return { cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, scale: Math.max(x2 - x1, y2 - y1, 1e-3) / 2 };
}

/** Crop units -> the frame's space, for `count` skeletons of 17 joints laid out [count*17*2] (one frame each, or one for all). */
export function toJointSpace(frames: readonly JointFrame[], crop: Float32Array, out = new Float32Array(crop.length)): Float32Array {
  return mapFrames(frames, crop, out, (v, o, s) => (v - o) / s);
}

/** The frame's space -> crop units (inverse of toJointSpace). */
export function fromJointSpace(frames: readonly JointFrame[], z: Float32Array, out = new Float32Array(z.length)): Float32Array {
  return mapFrames(frames, z, out, (v, o, s) => v * s + o);
}

function mapFrames(frames: readonly JointFrame[], a: Float32Array, out: Float32Array, f: (v: number, offset: number, scale: number) => number): Float32Array {
  const D = NUM_JOINTS * 2;
  const count = a.length / D;
  if (frames.length !== 1 && frames.length !== count) throw new RangeError(`joint-space: ${frames.length} frames for ${count} skeletons`);
  for (let s = 0; s < count; s++) {
    const fr = frames[frames.length === 1 ? 0 : s];
    for (let j = 0; j < NUM_JOINTS; j++) {
      const k = s * D + 2 * j;
      out[k] = f(a[k], fr.cx, fr.scale);
      out[k + 1] = f(a[k + 1], fr.cy, fr.scale);
    }
  }
  return out;
}

/** True when every frame is the identity (nothing to map). */
export function isIdentity(frames: readonly JointFrame[]): boolean {
  return frames.every((f) => f === CROP_FRAME || (f.cx === 0 && f.cy === 0 && f.scale === 1));
}
