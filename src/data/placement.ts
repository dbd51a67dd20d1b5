/** An object model placed in the world: rotation R then translation t, with its anchors in world coordinates. */
import type { ObjectModel } from './objects.ts';
import type { Shape } from './shape.ts';
import { add, apply, IDENTITY, type Mat3, type Vec3 } from './vec.ts';

export interface Placed {
  model: ObjectModel;
  R: Mat3;
  t: Vec3;
  /** World-space shape. */
  shape: Shape;
  /** World anchor by name. */
  at(name: string): Vec3;
}

export function place(model: ObjectModel, R: Mat3 = IDENTITY, t: Vec3 = [0, 0, 0]): Placed {
  return {
    model, R, t,
    shape: model.shape.transformed(R, t),
    at: (name) => {
      const a = model.anchors[name];
      if (!a) throw new RangeError(`place(): ${model.category} has no anchor "${name}"`);
      return add(apply(R, a), t);
    },
  };
}

/** Place so that local point `local` lands on world point `world`. */
export function placeAt(model: ObjectModel, R: Mat3, local: Vec3, world: Vec3): Placed {
  const r = apply(R, local);
  return place(model, R, [world[0] - r[0], world[1] - r[1], world[2] - r[2]]);
}
