/**
 * A person figure built from posed body joints: tapered capsules for limbs and torso, a head with hair, clothes and
 * skin colours. Drawn for the partner of human-to-human scenes, and used (undrawn) to measure the tight person box
 * of the person the data set asks to place.
 */
import { S, type Posed, jointOf } from './body.ts';
import type { Rng } from './rng.ts';
import { Shape } from './shape.ts';
import { add, apply, lerp, sub, scale } from './vec.ts';
import { CLOTHES, HAIRS, SKINS, paint, vary, darken, stripes, type Rgb } from './paints.ts';

export interface FigureLook {
  skin: Rgb; hair: Rgb; shirt: Rgb; pants: Rgb; shoes: Rgb;
  /** Short sleeves / shorts show skin below the elbow / knee. */
  shortSleeves: boolean; shorts: boolean;
  striped: boolean;
  /** Girth multiplier for radii. */
  girth: number;
}

export function randomLook(rng: Rng, girth = 1): FigureLook {
  return {
    skin: vary(rng, rng.pick(SKINS), 8), hair: vary(rng, rng.pick(HAIRS), 8), shirt: vary(rng, rng.pick(CLOTHES), 15),
    pants: vary(rng, rng.pick([[40, 50, 80], [30, 30, 35], [90, 80, 70], [160, 150, 130], [60, 70, 100], [120, 40, 40]] as Rgb[]), 10),
    shoes: vary(rng, rng.pick([[30, 30, 30], [230, 230, 230], [90, 60, 40]] as Rgb[]), 8),
    shortSleeves: rng.chance(0.4), shorts: rng.chance(0.25), striped: rng.chance(0.25), girth,
  };
}

/** The figure's shape for posed joints `p` (world metres). */
export function figureShape(p: Posed, look: FigureLook): Shape {
  const s = new Shape();
  const J = (j: number) => jointOf(p, j);
  const g = look.girth;
  const skin = paint(look.skin);
  const shirt = look.striped ? paint(look.shirt, darken(look.shirt, 0.6), stripes(0.3, 0.5)) : paint(look.shirt);
  const pants = paint(look.pants);
  const shoes = paint(look.shoes);
  // torso: spine capsules plus hip-to-shoulder sides
  s.capsule(J(S.pelvis), J(S.spine2), 0.13 * g, shirt, 0.14 * g);
  s.capsule(J(S.spine2), J(S.neck), 0.14 * g, shirt, 0.11 * g);
  s.capsule(lerp(J(S.lHip), J(S.pelvis), 0.2), lerp(J(S.lShoulder), J(S.lCollar), 0.5), 0.09 * g, shirt, 0.08 * g);
  s.capsule(lerp(J(S.rHip), J(S.pelvis), 0.2), lerp(J(S.rShoulder), J(S.rCollar), 0.5), 0.09 * g, shirt, 0.08 * g);
  s.capsule(J(S.lHip), J(S.rHip), 0.1 * g, pants);
  s.capsule(J(S.lCollar), J(S.lShoulder), 0.065 * g, shirt);
  s.capsule(J(S.rCollar), J(S.rShoulder), 0.065 * g, shirt);
  // neck and head (the head joint is at the skull base; the head centre sits above and in front of it)
  const hr = p.rotations.subarray(S.head * 9, S.head * 9 + 9);
  const head = J(S.head);
  s.capsule(J(S.neck), head, 0.05 * g, skin);
  const hc = add(head, apply(hr, [0, 0.075, 0.02]));
  s.capsule(add(hc, apply(hr, [0, -0.03, 0.01])), add(hc, apply(hr, [0, 0.02, 0])), 0.095, skin);
  s.capsule(add(hc, apply(hr, [0, 0.035, -0.03])), add(hc, apply(hr, [0, 0.04, -0.04])), 0.092, paint(look.hair));
  // arms
  for (const [sh, el, wr, ha] of [[S.lShoulder, S.lElbow, S.lWrist, S.lHand], [S.rShoulder, S.rElbow, S.rWrist, S.rHand]]) {
    s.capsule(J(sh), J(el), 0.05 * g, shirt, 0.042 * g);
    s.capsule(J(el), J(wr), 0.04 * g, look.shortSleeves ? skin : shirt, 0.032 * g);
    s.capsule(J(wr), J(ha), 0.03, skin, 0.028);
  }
  // legs
  for (const [hp, kn, an, ft] of [[S.lHip, S.lKnee, S.lAnkle, S.lFoot], [S.rHip, S.rKnee, S.rAnkle, S.rFoot]]) {
    s.capsule(J(hp), J(kn), 0.085 * g, pants, 0.06 * g);
    s.capsule(J(kn), J(an), 0.055 * g, look.shorts ? skin : pants, 0.04 * g);
    const toe = add(J(ft), scale(sub(J(ft), J(an)), 0.25));
    s.capsule(J(an), toe, 0.04, shoes, 0.035);
  }
  return s;
}

/** Default look used when only the volume matters (person box of the undrawn person). */
export const PLAIN_LOOK: FigureLook = {
  skin: [0, 0, 0], hair: [0, 0, 0], shirt: [0, 0, 0], pants: [0, 0, 0], shoes: [0, 0, 0],
  shortSleeves: false, shorts: false, striped: false, girth: 1,
};
