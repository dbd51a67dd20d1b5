/**
 * Category-specific 3D object models for the synthetic scenes. Each builder draws a random instance of a COCO
 * category (size, proportions, colours, texture) in its own frame and names the points people touch (anchors).
 * Frame: metres, y up; objects that stand on the ground have it at y = 0; "front" is +z (where a user sits, or the
 * direction of travel for vehicles and boards).
 */
import type { Rng } from './rng.ts';
import { Shape } from './shape.ts';
import { rotX, rotZ, type Vec3 } from './vec.ts';
import {
  BRIGHT, FABRICS, METALS, WOODS, checker, darken, dots, mix, paint, stripes, stripesT, vary, woodGrain, type Rgb,
} from './paints.ts';

export interface ObjectModel {
  category: string;
  shape: Shape;
  /** Named contact points in the object's frame. */
  anchors: Record<string, Vec3>;
  /** Numbers a template needs (seat height, wheel radius...). */
  dims: Record<string, number>;
}

function model(category: string, shape: Shape, anchors: Record<string, Vec3>, dims: Record<string, number> = {}): ObjectModel {
  return { category, shape, anchors, dims };
}

const woodPaint = (rng: Rng) => {
  const c = vary(rng, rng.pick(WOODS), 12);
  return paint(c, darken(c, 0.8), woodGrain(rng.uniform(0.02, 0.05)));
};

/** Four legs under a rectangle (x half-width, z half-depth) from y = 0 to `h`. */
function legs(s: Shape, hx: number, hz: number, h: number, r: number, p: ReturnType<typeof paint>, round: boolean): void {
  for (const [x, z] of [[-hx, -hz], [hx, -hz], [-hx, hz], [hx, hz]]) {
    if (round) s.capsule([x, 0.01, z], [x, h, z], r, p);
    else s.box([x, h / 2, z], [2 * r, h, 2 * r], p);
  }
}

export function chair(rng: Rng): ObjectModel {
  const s = new Shape();
  const seatH = rng.uniform(0.42, 0.5), w = rng.uniform(0.4, 0.5), d = rng.uniform(0.4, 0.48);
  const style = rng.int(0, 2); // 0 wood, 1 plastic, 2 metal + fabric
  const frame = style === 0 ? woodPaint(rng) : style === 1 ? paint(vary(rng, rng.pick(BRIGHT), 10)) : paint(vary(rng, rng.pick(METALS), 8));
  const seatP = style === 2 ? paint(vary(rng, rng.pick(FABRICS))) : frame;
  legs(s, w / 2 - 0.03, d / 2 - 0.03, seatH - 0.03, style === 2 ? 0.012 : 0.02, frame, style === 2);
  s.box([0, seatH - 0.015, 0], [w, 0.04, d], seatP);
  const backH = rng.uniform(0.35, 0.5), lean = rng.uniform(0.05, 0.2);
  const back = s.box.bind(s);
  back([0, seatH + backH * 0.55, -d / 2 + 0.02 - lean * 0.5 * backH], [w, backH * 0.45, 0.03], seatP, rotX(-lean));
  for (const x of [-w / 2 + 0.03, w / 2 - 0.03]) s.box([x, seatH + backH / 2, -d / 2 + 0.02 - lean * 0.25 * backH], [0.03, backH, 0.03], frame, rotX(-lean));
  return model('chair', s, { seat: [0, seatH + 0.025, 0.02] }, { seatH, depth: d, width: w });
}

export function bench(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(1.2, 1.8), seatH = rng.uniform(0.42, 0.48), d = rng.uniform(0.38, 0.48);
  const wood = woodPaint(rng);
  const metal = paint(vary(rng, rng.pick([[40, 40, 45], [30, 60, 40], [60, 40, 30], [120, 120, 125]] as Rgb[]), 8));
  const slats = rng.int(3, 5);
  for (let i = 0; i < slats; i++) {
    const z = -d / 2 + (d * (i + 0.5)) / slats;
    s.box([0, seatH - 0.02, z], [len, 0.035, (d / slats) * 0.8], wood);
  }
  const hasBack = rng.chance(0.75);
  for (const x of [-len / 2 + 0.1, len / 2 - 0.1]) {
    s.box([x, seatH / 2, d / 2 - 0.05], [0.05, seatH, 0.05], metal);
    s.box([x, seatH / 2, -d / 2 + 0.05], [0.05, seatH, 0.05], metal);
    s.box([x, seatH - 0.05, 0], [0.05, 0.04, d], metal);
    if (hasBack) s.box([x, seatH + 0.22, -d / 2 - 0.02], [0.05, 0.5, 0.04], metal, rotX(-0.15));
  }
  if (hasBack) for (let i = 0; i < 3; i++) s.box([0, seatH + 0.14 + i * 0.12, -d / 2 - 0.04 - i * 0.018], [len, 0.08, 0.025], wood, rotX(-0.15));
  const seatX = rng.uniform(-len / 2 + 0.3, len / 2 - 0.3);
  return model('bench', s, { seat: [seatX, seatH, 0.03] }, { seatH, depth: d, length: len });
}

export function couch(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(1.5, 2.2), seatH = rng.uniform(0.4, 0.46), d = rng.uniform(0.8, 0.95);
  const c = vary(rng, rng.pick(FABRICS), 15);
  const fab = paint(c, darken(c, 0.88), rng.chance(0.3) ? stripes(0.06) : checker(0.5));
  const dark = paint(darken(c, 0.85));
  s.box([0, 0.12, 0], [len, 0.2, d], dark);
  const n = rng.int(2, 3);
  for (let i = 0; i < n; i++) {
    const w = (len - 0.3) / n;
    s.box([-len / 2 + 0.15 + w * (i + 0.5), seatH - 0.1, 0.05], [w - 0.02, 0.2, d - 0.2], fab);
    s.box([-len / 2 + 0.15 + w * (i + 0.5), seatH + 0.2, -d / 2 + 0.15], [w - 0.02, 0.45, 0.2], fab, rotX(-0.15));
  }
  s.box([0, seatH + 0.1, -d / 2 + 0.06], [len, 0.6, 0.12], dark);
  for (const x of [-len / 2 + 0.07, len / 2 - 0.07]) s.box([x, seatH + 0.02, 0], [0.14, 0.4, d], dark);
  const seatX = rng.uniform(-len / 2 + 0.45, len / 2 - 0.45);
  return model('couch', s, { seat: [seatX, seatH, 0.1] }, { seatH, depth: d, length: len });
}

export function bed(rng: Rng): ObjectModel {
  const s = new Shape();
  const w = rng.uniform(1.0, 1.8), len = rng.uniform(1.95, 2.1), h = rng.uniform(0.45, 0.6);
  const frame = rng.chance(0.5) ? woodPaint(rng) : paint(vary(rng, rng.pick(METALS)));
  const sheet = vary(rng, [235, 235, 230], 12);
  const blanket = vary(rng, rng.pick(FABRICS), 20);
  s.box([0, (h - 0.2) / 2, 0], [w + 0.06, h - 0.2, len + 0.06], frame);
  s.box([0, h - 0.1, 0], [w, 0.2, len], paint(sheet));
  // blanket over the foot two thirds, patterned
  s.box([0, h + 0.015, 0.25], [w + 0.04, 0.06, len * 0.65], paint(blanket, darken(blanket, 0.8), rng.chance(0.5) ? checker(0.2) : stripes(0.15)));
  s.box([0, h + 0.5, -len / 2 - 0.04], [w + 0.1, 0.9, 0.06], frame); // headboard (head end at -z)
  const pillows = w > 1.3 ? 2 : 1;
  for (let i = 0; i < pillows; i++) s.ellipsoid([(i - (pillows - 1) / 2) * (w / 2), h + 0.05, -len / 2 + 0.3], [0.3, 0.08, 0.17], paint(vary(rng, [245, 245, 245], 10)), undefined, 10, 5);
  return model('bed', s, { top: [0, h + 0.05, 0] }, { height: h, width: w, length: len });
}

export function bicycle(rng: Rng): ObjectModel {
  const s = new Shape();
  const R = rng.uniform(0.31, 0.36), wb = rng.uniform(0.98, 1.1);
  const frameC = vary(rng, rng.pick(BRIGHT), 15);
  const frame = paint(frameC);
  const tyre = paint([30, 30, 32]);
  const metal = paint([180, 180, 185]);
  const rear: Vec3 = [0, R, -wb / 2], front: Vec3 = [0, R, wb / 2];
  for (const c of [rear, front]) {
    s.ring(c, [0, 1, 0], [0, 0, 1], R - 0.015, 0.018, tyre, 18);
    s.ring(c, [0, 1, 0], [0, 0, 1], R - 0.04, 0.006, metal, 18);
    for (let k = 0; k < 6; k++) {
      const a = (k * Math.PI) / 3 + rng.uniform(0, 1);
      s.capsule(c, [c[0], c[1] + (R - 0.04) * Math.sin(a), c[2] + (R - 0.04) * Math.cos(a)], 0.003, metal);
    }
  }
  const bb: Vec3 = [0, 0.3, -0.02]; // bottom bracket
  const seatTop: Vec3 = [0, R + rng.uniform(0.5, 0.6), -wb / 2 + 0.28];
  const headTop: Vec3 = [0, R + 0.55, wb / 2 - 0.2];
  const headLow: Vec3 = [0, R + 0.35, wb / 2 - 0.13];
  const tube = 0.022;
  s.capsule(bb, seatTop, tube, frame); // seat tube
  s.capsule(seatTop, headTop, tube, frame); // top tube
  s.capsule(bb, headLow, tube * 1.2, frame); // down tube
  s.capsule(headLow, headTop, tube, frame);
  s.capsule(bb, rear, 0.014, frame); // chain stay
  s.capsule(seatTop, rear, 0.014, frame); // seat stay
  s.capsule(headLow, front, 0.016, metal); // fork
  const saddle: Vec3 = [0, seatTop[1] + rng.uniform(0.05, 0.12), seatTop[2] - 0.02];
  s.capsule(seatTop, saddle, 0.012, metal);
  s.ellipsoid([saddle[0], saddle[1] + 0.02, saddle[2] + 0.03], [0.08, 0.03, 0.14], paint([25, 25, 28]), undefined, 8, 4);
  const bar: Vec3 = [0, headTop[1] + 0.12, headTop[2] + 0.02];
  s.capsule(headTop, bar, 0.014, metal);
  const hw = rng.uniform(0.22, 0.29);
  s.capsule([-hw, bar[1], bar[2] - 0.03], [hw, bar[1], bar[2] - 0.03], 0.013, metal);
  for (const x of [-hw, hw]) s.capsule([x * 0.8, bar[1], bar[2] - 0.03], [x, bar[1], bar[2] - 0.03], 0.018, paint([20, 20, 20]));
  const crank = rng.uniform(0, Math.PI * 2), cl = 0.17;
  const lPedal: Vec3 = [0.1, bb[1] + cl * Math.sin(crank), bb[2] + cl * Math.cos(crank)];
  const rPedal: Vec3 = [-0.1, bb[1] - cl * Math.sin(crank), bb[2] - cl * Math.cos(crank)];
  s.capsule([0.06, bb[1], bb[2]], lPedal, 0.01, metal);
  s.capsule([-0.06, bb[1], bb[2]], rPedal, 0.01, metal);
  s.box(lPedal, [0.09, 0.02, 0.07], paint([40, 40, 40]));
  s.box(rPedal, [0.09, 0.02, 0.07], paint([40, 40, 40]));
  s.ring([0.05, bb[1], bb[2]], [0, 1, 0], [0, 0, 1], 0.09, 0.008, metal, 10);
  return model('bicycle', s, {
    saddle: [saddle[0], saddle[1] + 0.05, saddle[2] + 0.02],
    lGrip: [hw - 0.03, bar[1], bar[2] - 0.03], rGrip: [-hw + 0.03, bar[1], bar[2] - 0.03],
    lPedal: [lPedal[0] + 0.02, lPedal[1] + 0.02, lPedal[2]], rPedal: [rPedal[0] - 0.02, rPedal[1] + 0.02, rPedal[2]],
  }, { wheel: R });
}

export function motorcycle(rng: Rng): ObjectModel {
  const s = new Shape();
  const R = rng.uniform(0.3, 0.34), wb = rng.uniform(1.35, 1.5);
  const bodyC = vary(rng, rng.pick([...BRIGHT.slice(0, 6), [20, 20, 25], [200, 200, 205]] as Rgb[]), 12);
  const body = paint(bodyC);
  const tyre = paint([25, 25, 27]);
  const chrome = paint([195, 195, 200]);
  const rear: Vec3 = [0, R, -wb / 2], front: Vec3 = [0, R, wb / 2];
  for (const c of [rear, front]) {
    s.ring(c, [0, 1, 0], [0, 0, 1], R - 0.05, 0.05, tyre, 16);
    s.frustum([-0.03, c[1], c[2]], [0.03, c[1], c[2]], R - 0.09, R - 0.09, chrome, 10);
  }
  s.box([0, 0.45, -0.02], [0.3, 0.32, 0.5], paint([60, 60, 65])); // engine
  s.ellipsoid([0, 0.82, 0.22], [0.17, 0.13, 0.28], body); // tank
  const seatY = rng.uniform(0.78, 0.86);
  s.box([0, seatY - 0.04, -0.32], [0.28, 0.1, 0.55], paint([25, 25, 25]));
  s.box([0, seatY - 0.14, -0.55], [0.24, 0.12, 0.4], body, rotX(0.25)); // tail
  s.capsule([0, R, wb / 2], [0, 0.95, wb / 2 - 0.22], 0.03, chrome); // fork
  const bar: Vec3 = [0, rng.uniform(1.0, 1.1), wb / 2 - 0.28];
  const hw = rng.uniform(0.32, 0.38);
  s.capsule([-hw, bar[1], bar[2]], [hw, bar[1], bar[2]], 0.015, chrome);
  for (const x of [-hw, hw]) s.capsule([x * 0.75, bar[1], bar[2]], [x, bar[1], bar[2]], 0.022, paint([20, 20, 20]));
  s.ellipsoid([0, 0.95, wb / 2 - 0.12], [0.1, 0.09, 0.08], chrome, undefined, 8, 4); // headlight
  s.capsule([0.16, 0.3, -0.05], [0.16, 0.35, -0.75], 0.045, chrome); // exhaust
  for (const x of [-0.22, 0.22]) s.capsule([x * 0.5, 0.36, 0.0], [x, 0.36, 0.0], 0.015, chrome); // pegs
  return model('motorcycle', s, {
    saddle: [0, seatY + 0.06, -0.3],
    lGrip: [hw - 0.04, bar[1], bar[2]], rGrip: [-hw + 0.04, bar[1], bar[2]],
    lPeg: [0.22, 0.39, 0.0], rPeg: [-0.22, 0.39, 0.0],
  }, { wheel: R });
}

export function horse(rng: Rng): ObjectModel {
  const s = new Shape();
  const c = vary(rng, rng.pick([[120, 70, 35], [80, 50, 30], [30, 25, 22], [210, 200, 185], [150, 110, 70], [170, 120, 60]] as Rgb[]), 10);
  const coat = paint(c);
  const dark = paint(darken(c, 0.55));
  const h = rng.uniform(1.25, 1.4); // body centre height
  s.ellipsoid([0, h, 0], [0.3, 0.34, 0.75], coat, undefined, 14, 8);
  for (const [x, z] of [[0.15, 0.5], [-0.15, 0.5], [0.15, -0.5], [-0.15, -0.5]]) {
    const bend = rng.uniform(-0.05, 0.08);
    s.capsule([x, h - 0.15, z], [x, 0.45, z + bend], 0.07, coat, 0.045);
    s.capsule([x, 0.45, z + bend], [x, 0.06, z], 0.045, coat, 0.04);
    s.capsule([x, 0.06, z], [x, 0.03, z + 0.02], 0.05, dark);
  }
  const neckTop: Vec3 = [0, h + 0.62, 0.95];
  s.capsule([0, h + 0.15, 0.6], neckTop, 0.17, coat, 0.12);
  s.capsule(neckTop, [0, h + 0.4, 1.25], 0.1, coat, 0.07); // head
  s.capsule([0, h + 0.7, 0.82], [0, h + 0.3, 0.55], 0.05, dark); // mane
  s.capsule([0, h + 0.1, -0.75], [0, h - 0.5, -0.88], 0.06, dark, 0.03); // tail
  const saddleC = vary(rng, [70, 40, 25], 12);
  s.ellipsoid([0, h + 0.32, -0.02], [0.32, 0.06, 0.3], paint(saddleC), undefined, 10, 4);
  s.capsule([0, h + 0.5, 0.9], [0, h + 0.4, 0.45], 0.01, paint([40, 30, 20])); // reins
  return model('horse', s, {
    saddle: [0, h + 0.36, -0.02],
    lStirrup: [0.33, h - 0.35, 0.02], rStirrup: [-0.33, h - 0.35, 0.02],
    reins: [0, h + 0.45, 0.42],
  }, { bodyH: h });
}

export function cup(rng: Rng): ObjectModel {
  const s = new Shape();
  const mug = rng.chance(0.55);
  const r = mug ? rng.uniform(0.038, 0.045) : rng.uniform(0.033, 0.042);
  const h = mug ? rng.uniform(0.085, 0.105) : rng.uniform(0.1, 0.14);
  const c = mug ? vary(rng, rng.pick([[240, 240, 240], [200, 40, 40], [40, 80, 160], [30, 30, 30], [240, 200, 60], [90, 150, 90]] as Rgb[]), 10)
    : vary(rng, rng.pick([[245, 245, 240], [200, 170, 130], [240, 240, 245]] as Rgb[]), 6);
  const band = rng.chance(0.5);
  const p = band ? paint(c, vary(rng, rng.pick(BRIGHT)), stripesT(h, 0.3)) : paint(c);
  s.frustum([0, 0, 0], [0, h, 0], mug ? r : r * 0.75, r, p, 12, false, paint(mug ? [70, 45, 30] : [90, 60, 40]));
  if (mug) s.ring([r + 0.012, h * 0.5, 0], [0, 1, 0], [1, 0, 0], h * 0.28, 0.007, paint(c), 8, -Math.PI / 2, Math.PI / 2);
  return model('cup', s, { grip: [0, h * 0.5, 0], rim: [0, h, 0] }, { radius: r, height: h });
}

export function umbrella(rng: Rng): ObjectModel {
  const s = new Shape();
  const shaft = rng.uniform(0.7, 0.85), R = rng.uniform(0.45, 0.58), depth = rng.uniform(0.18, 0.28);
  const c1 = vary(rng, rng.pick(BRIGHT), 10), c2 = rng.chance(0.5) ? vary(rng, rng.pick(BRIGHT), 10) : darken(c1, 0.75);
  const panels = rng.pick([8, 8, 10, 12]);
  const top: Vec3 = [0, shaft, 0];
  for (let k = 0; k < panels; k++) {
    const a0 = (2 * Math.PI * k) / panels, a1 = (2 * Math.PI * (k + 1)) / panels;
    const p = paint(k % 2 ? c1 : c2);
    const e0: Vec3 = [R * Math.cos(a0), shaft - depth, R * Math.sin(a0)];
    const e1: Vec3 = [R * Math.cos(a1), shaft - depth, R * Math.sin(a1)];
    s.tri(top, e1, e0, p, [0, 0, 0, 0, 0, 0], true);
  }
  s.capsule([0, -0.02, 0], [0, shaft + 0.05, 0], 0.009, paint([50, 50, 50]));
  s.ring([0, -0.02, 0.04], [0, -1, 0], [0, 0, 1], 0.04, 0.012, paint(vary(rng, [60, 40, 30], 15)), 6, 0, Math.PI);
  return model('umbrella', s, { grip: [0, 0.06, 0] }, { shaft, radius: R });
}

export function cellPhone(rng: Rng): ObjectModel {
  const s = new Shape();
  const w = rng.uniform(0.065, 0.078), h = rng.uniform(0.135, 0.16), t = rng.uniform(0.007, 0.011);
  const body = paint(vary(rng, rng.pick([[25, 25, 28], [210, 210, 215], [180, 150, 120], [40, 60, 120], [160, 30, 40]] as Rgb[]), 8));
  s.box([0, 0, 0], [w, h, t], body);
  s.box([0, 0, t / 2 + 0.0006], [w * 0.9, h * 0.88, 0.001], paint([20, 30, 45], [40, 80, 130], stripesT(0.02, 0.4)));
  return model('cell phone', s, { grip: [0, -h * 0.15, 0] }, { width: w, height: h });
}

export function book(rng: Rng, open: boolean): ObjectModel {
  const s = new Shape();
  const w = rng.uniform(0.14, 0.2), h = rng.uniform(0.2, 0.27), t = rng.uniform(0.015, 0.04);
  const cover = vary(rng, rng.pick([...BRIGHT.slice(0, 8), [120, 30, 30], [30, 50, 90], [30, 70, 40]] as Rgb[]), 12);
  const coverP = paint(cover, vary(rng, [240, 230, 200], 10), rng.chance(0.5) ? stripesT(h / 3, 0.2) : undefined);
  const pages = paint([245, 240, 225], [200, 200, 200], stripesT(0.008, 0.7));
  if (!open) {
    s.box([0, 0, 0], [w, h, t], coverP);
    s.box([0.004, 0, 0], [w - 0.006, h - 0.008, t + 0.002], pages);
    return model('book', s, { lGrip: [w / 2, -h / 4, 0], rGrip: [-w / 2, -h / 4, 0] }, { width: w, height: h });
  }
  // open: two halves in a shallow V, spine along y at x = 0, pages facing +z
  const ang = rng.uniform(0.15, 0.35);
  for (const sgn of [1, -1]) {
    const R = [Math.cos(ang), 0, sgn * Math.sin(ang), 0, 1, 0, -sgn * Math.sin(ang), 0, Math.cos(ang)] as Parameters<Shape['box']>[3];
    const cx = sgn * (w / 2) * Math.cos(ang), cz = -(w / 2) * Math.sin(ang);
    s.box([cx, 0, cz - t / 4], [w, h, 0.004], coverP, R);
    s.box([cx, 0, cz], [w - 0.01, h - 0.01, t / 2], paint([248, 245, 235], [60, 60, 60], stripesT(0.012, 0.12)), R);
  }
  const ex = w * Math.cos(ang) * 0.95, ez = -w * Math.sin(ang);
  return model('book', s, { lGrip: [ex, -h * 0.2, ez], rGrip: [-ex, -h * 0.2, ez] }, { width: w, height: h });
}

export function laptop(rng: Rng): ObjectModel {
  const s = new Shape();
  const w = rng.uniform(0.3, 0.38), d = rng.uniform(0.21, 0.25), t = 0.018;
  const c = vary(rng, rng.pick([[190, 190, 195], [40, 40, 45], [120, 120, 125], [220, 220, 225]] as Rgb[]), 8);
  const shell = paint(c);
  s.box([0, t / 2, 0], [w, t, d], shell);
  s.box([0, t + 0.001, 0.02], [w * 0.85, 0.002, d * 0.45], paint([35, 35, 38], [70, 70, 75], checker(0.018)));
  const open = rng.uniform(1.75, 2.05); // hinge angle from closed
  const R = rotX(-(open - Math.PI / 2));
  const hinge: Vec3 = [0, t, -d / 2];
  const scr = (y: number, z: number): Vec3 => {
    const v: Vec3 = [0, y, z];
    const m = R;
    return [hinge[0] + m[0] * v[0] + m[1] * v[1] + m[2] * v[2], hinge[1] + m[3] * v[0] + m[4] * v[1] + m[5] * v[2], hinge[2] + m[6] * v[0] + m[7] * v[1] + m[8] * v[2]];
  };
  s.box(scr(d / 2, -0.006), [w, d, 0.01], shell, R);
  const glow = vary(rng, rng.pick([[60, 110, 180], [230, 230, 235], [40, 40, 60], [90, 160, 120]] as Rgb[]), 15);
  s.box(scr(d / 2, 0.0), [w * 0.9, d * 0.85, 0.002], paint(glow, darken(glow, 0.7), stripesT(0.03, 0.6)), R);
  return model('laptop', s, { lKey: [0.09, t, 0.03], rKey: [-0.09, t, 0.03] }, { width: w, depth: d });
}

export function sportsBall(rng: Rng): ObjectModel {
  const s = new Shape();
  const kind = rng.int(0, 3);
  const r = [0.11, 0.12, 0.105, 0.035][kind];
  const p = kind === 0 ? paint([245, 245, 245], [25, 25, 25], dots(0.09, 0.028))
    : kind === 1 ? paint([220, 110, 30], [40, 25, 15], stripes(0.19, 0.08))
      : kind === 2 ? paint([245, 245, 240], vary(rng, [40, 90, 190], 30), stripes(0.12, 0.35))
        : paint([200, 230, 60]);
  s.ellipsoid([0, 0, 0], [r, r, r], p, rotZ(rng.uniform(0, 3)), 12, 8);
  return model('sports ball', s, { centre: [0, 0, 0] }, { radius: r });
}

export function frisbee(rng: Rng): ObjectModel {
  const s = new Shape();
  const r = rng.uniform(0.11, 0.14);
  const c = vary(rng, rng.pick(BRIGHT), 10);
  const outline: Array<[number, number]> = [];
  for (let k = 0; k < 16; k++) outline.push([r * Math.cos((-2 * Math.PI * k) / 16), r * Math.sin((-2 * Math.PI * k) / 16)]);
  s.slab(outline, -0.012, 0.012, paint(c, mix(c, [255, 255, 255], 0.5), dots(0.1, 0.03)), paint(darken(c, 0.8)));
  return model('frisbee', s, { grip: [r - 0.01, 0, 0] }, { radius: r });
}

export function tennisRacket(rng: Rng): ObjectModel {
  const s = new Shape();
  const handle = rng.uniform(0.26, 0.3), ra = rng.uniform(0.12, 0.135), rb = rng.uniform(0.155, 0.17);
  const c = vary(rng, rng.pick(BRIGHT), 10);
  const frame = paint(c);
  const centre: Vec3 = [0, handle + 0.08 + rb, 0];
  // head ellipse in the x-y plane
  let prev: Vec3 | null = null;
  for (let k = 0; k <= 20; k++) {
    const a = (2 * Math.PI * k) / 20;
    const p: Vec3 = [centre[0] + ra * Math.cos(a), centre[1] + rb * Math.sin(a), 0];
    if (prev) s.capsule(prev, p, 0.009, frame);
    prev = p;
  }
  const strings = paint([235, 235, 225]);
  for (let i = -3; i <= 3; i++) {
    const x = (i / 4) * ra, hy = rb * Math.sqrt(1 - (x / ra) ** 2);
    s.capsule([x, centre[1] - hy, 0], [x, centre[1] + hy, 0], 0.0015, strings);
    const y = (i / 4) * rb, hx = ra * Math.sqrt(1 - (y / rb) ** 2);
    s.capsule([-hx, centre[1] + y, 0], [hx, centre[1] + y, 0], 0.0015, strings);
  }
  s.capsule([0, handle, 0], [-0.05, centre[1] - rb * 0.9, 0], 0.009, frame);
  s.capsule([0, handle, 0], [0.05, centre[1] - rb * 0.9, 0], 0.009, frame);
  s.capsule([0, 0, 0], [0, handle, 0], 0.016, paint(vary(rng, [40, 40, 40], 20)));
  return model('tennis racket', s, { grip: [0, 0.07, 0] }, { length: centre[1] + rb });
}

export function baseballBat(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(0.8, 0.88);
  const p = rng.chance(0.6) ? woodPaint(rng) : paint(vary(rng, rng.pick(METALS), 10));
  s.capsule([0, 0, 0], [0, len * 0.45, 0], 0.014, p, 0.02);
  s.capsule([0, len * 0.45, 0], [0, len, 0], 0.02, p, 0.033);
  s.capsule([0, -0.01, 0], [0, 0.0, 0], 0.022, paint([30, 30, 30]));
  return model('baseball bat', s, { grip: [0, 0.06, 0], grip2: [0, 0.15, 0] }, { length: len });
}

/** A board outline (x across, z along) with rounded nose and tail. */
function boardOutline(len: number, width: number, noseRound: number, n = 10): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  const half = len / 2;
  for (let k = 0; k <= n; k++) { // nose (+z)
    const a = Math.PI * (k / n);
    pts.push([(width / 2) * Math.cos(a), half - noseRound * (1 - Math.sin(a))]);
  }
  for (let k = 0; k <= n; k++) { // tail (-z)
    const a = Math.PI + Math.PI * (k / n);
    pts.push([(width / 2) * Math.cos(a), -half + noseRound * 0.6 * (1 + Math.sin(a))]);
  }
  return pts.reverse();
}

export function surfboard(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(1.8, 2.7), w = rng.uniform(0.48, 0.58);
  const c = vary(rng, rng.pick([...BRIGHT, [240, 240, 235]]), 10);
  const c2 = vary(rng, rng.pick(BRIGHT), 10);
  s.slab(boardOutline(len, w, len * 0.3), 0, 0.06, paint(c, c2, stripes(w / 3, 0.2)), paint(mix(c, [255, 255, 255], 0.4)));
  s.tri([0, 0, -len / 2 + 0.1], [0, -0.12, -len / 2 + 0.12], [0, 0, -len / 2 + 0.25], paint([30, 30, 30]), undefined, true);
  return model('surfboard', s, { front: [0, 0.06, len * 0.14], back: [0, 0.06, -len * 0.2] }, { length: len, width: w });
}

export function skateboard(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(0.78, 0.84), w = rng.uniform(0.2, 0.22);
  const deckC = vary(rng, rng.pick([[30, 30, 30], ...BRIGHT.slice(0, 7), [150, 100, 60]] as Rgb[]), 10);
  s.slab(boardOutline(len, w, w * 0.5), 0.07, 0.085, paint([40, 40, 40], [60, 60, 60], checker(0.01)), paint(deckC));
  const wheel = paint(vary(rng, rng.pick([[240, 240, 230], [230, 200, 60], [200, 60, 60]] as Rgb[]), 10));
  for (const z of [-len * 0.33, len * 0.33]) {
    s.box([0, 0.055, z], [w * 0.7, 0.02, 0.04], paint([170, 170, 175]));
    for (const x of [-w * 0.42, w * 0.42]) s.frustum([x - 0.017, 0.028, z], [x + 0.017, 0.028, z], 0.028, 0.028, wheel, 8);
  }
  return model('skateboard', s, { front: [0, 0.085, len * 0.27], back: [0, 0.085, -len * 0.27] }, { length: len });
}

export function snowboard(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(1.45, 1.62), w = rng.uniform(0.25, 0.3);
  const c = vary(rng, rng.pick(BRIGHT), 10), c2 = vary(rng, rng.pick(BRIGHT), 10);
  s.slab(boardOutline(len, w, w * 0.55), 0, 0.02, paint(c, c2, stripesT(0.25, 0.3)), paint(darken(c, 0.7)));
  const gap = rng.uniform(0.22, 0.28);
  for (const z of [-gap, gap]) {
    s.box([0, 0.045, z], [w * 0.75, 0.05, 0.12], paint([40, 40, 45]));
    s.box([0, 0.08, z - 0.07], [w * 0.7, 0.1, 0.02], paint([40, 40, 45]));
  }
  return model('snowboard', s, { front: [0, 0.07, gap], back: [0, 0.07, -gap] }, { length: len, gap });
}

export function donut(rng: Rng): ObjectModel {
  const s = new Shape();
  const R = rng.uniform(0.035, 0.045), r = rng.uniform(0.017, 0.022);
  const dough = vary(rng, [200, 140, 70], 12);
  const icing = rng.chance(0.7) ? vary(rng, rng.pick([[240, 150, 180], [90, 50, 30], [245, 240, 235], [240, 200, 80]] as Rgb[]), 10) : dough;
  s.ring([0, 0, 0], [1, 0, 0], [0, 0, 1], R, r, paint(dough), 12);
  s.ring([0, r * 0.45, 0], [1, 0, 0], [0, 0, 1], R, r * 0.75, paint(icing, vary(rng, rng.pick(BRIGHT)), dots(0.02, 0.003)), 12);
  return model('donut', s, { grip: [R + r, 0, 0], centre: [0, 0, 0] }, { radius: R + r });
}

export function pizzaSlice(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(0.17, 0.23), half = len * rng.uniform(0.3, 0.4);
  const cheese = vary(rng, [240, 200, 90], 12), crust = vary(rng, [200, 140, 70], 10);
  // slice in the x-z plane: crust along z = 0 (held there), tip at z = len
  s.slab([[-half, 0], [0, len], [half, 0]].reverse() as Array<[number, number]>, 0, 0.008,
    paint(cheese, vary(rng, [190, 50, 40], 15), dots(0.05, 0.012)), paint(crust));
  s.capsule([-half, 0.008, 0], [half, 0.008, 0], 0.012, paint(crust));
  return model('pizza', s, { grip: [0, 0.01, -0.005], tip: [0, 0.004, len] }, { length: len });
}

export function skis(rng: Rng): ObjectModel {
  const s = new Shape();
  const len = rng.uniform(1.55, 1.8), w = 0.08, gap = rng.uniform(0.16, 0.26);
  const c = vary(rng, rng.pick(BRIGHT), 10), c2 = vary(rng, rng.pick(BRIGHT), 10);
  const top = paint(c, c2, stripes(0.02, 0.4));
  for (const x of [-gap / 2, gap / 2]) {
    s.box([x, 0.01, -0.1], [w, 0.02, len - 0.25], top);
    s.box([x, 0.04, len / 2 - 0.15], [w, 0.02, 0.25], top, rotX(-0.35)); // tip
    s.box([x, 0.05, -0.02], [0.1, 0.08, 0.3], paint([60, 60, 65])); // binding
  }
  return model('skis', s, { lFoot: [gap / 2, 0.1, 0.04], rFoot: [-gap / 2, 0.1, 0.04] }, { length: len, gap });
}

export function suitcase(rng: Rng): ObjectModel {
  const s = new Shape();
  const w = rng.uniform(0.36, 0.46), h = rng.uniform(0.5, 0.7), d = rng.uniform(0.2, 0.28);
  const c = vary(rng, rng.pick([[30, 30, 35], [60, 70, 110], [150, 30, 40], [200, 200, 205], [40, 90, 80], [200, 130, 50]] as Rgb[]), 10);
  s.box([0, h / 2 + 0.04, 0], [w, h, d], paint(c, darken(c, 0.85), stripes(0.05, 0.5)));
  s.box([0, h + 0.04 - 0.1, 0], [w + 0.006, 0.02, d + 0.006], paint(darken(c, 0.6)));
  s.capsule([-0.06, h + 0.075, 0], [0.06, h + 0.075, 0], 0.013, paint([20, 20, 20]));
  s.capsule([-0.06, h + 0.04, 0], [-0.06, h + 0.075, 0], 0.01, paint([20, 20, 20]));
  s.capsule([0.06, h + 0.04, 0], [0.06, h + 0.075, 0], 0.01, paint([20, 20, 20]));
  for (const x of [-w / 2 + 0.04, w / 2 - 0.04]) s.sphere([x, 0.025, -d / 2 + 0.03], 0.025, paint([20, 20, 20]));
  return model('suitcase', s, { grip: [0, h + 0.078, 0] }, { height: h, width: w });
}

/** A desk (furniture for work_on_computer). Top at `h`. */
export function desk(rng: Rng): { shape: Shape; height: number; depth: number; width: number } {
  const s = new Shape();
  const h = rng.uniform(0.72, 0.76), w = rng.uniform(1.0, 1.5), d = rng.uniform(0.6, 0.75);
  const top = rng.chance(0.6) ? woodPaint(rng) : paint(vary(rng, [230, 230, 228], 10));
  s.box([0, h - 0.02, 0], [w, 0.04, d], top);
  legs(s, w / 2 - 0.04, d / 2 - 0.04, h - 0.04, 0.025, paint(vary(rng, rng.pick(METALS), 8)), false);
  return { shape: s, height: h, depth: d, width: w };
}
