/**
 * Procedural backgrounds seen through the scene camera: sky (gradient, clouds, a skyline of trees, buildings or
 * mountains) over a textured ground plane y = 0 (grass, asphalt, floor boards, tiles, sand, water, snow, court), or
 * an indoor room (floor plus a back wall with a window, a picture and a skirting board). Per-pixel ray casting with
 * precomputed noise tiles; background pixels keep depth +Infinity and layer 0.
 */
import type { Camera } from './camera.ts';
import type { Raster } from './raster.ts';
import { Rng } from './rng.ts';
import { mix, vary, darken, type Rgb } from './paints.ts';

/** Kinds of setting the interaction templates choose from. */
export const SETTINGS = ['park', 'street', 'indoor', 'bedroom', 'beach', 'sea', 'snow', 'court', 'field'] as const;
export type Setting = (typeof SETTINGS)[number];

const TILE = 256;
/** Smooth value-noise tile in [0, 1], TILE x TILE, wrapping; fixed content (the same in every process). */
const NOISE: Float32Array = (() => {
  const rng = new Rng(1234567);
  const out = new Float32Array(TILE * TILE);
  let amp = 1, total = 0;
  for (const cells of [4, 8, 16, 32, 64]) {
    const g = new Float32Array(cells * cells);
    for (let i = 0; i < g.length; i++) g[i] = rng.next();
    const step = TILE / cells;
    for (let y = 0; y < TILE; y++) {
      const gy = y / step, y0 = Math.floor(gy), fy = gy - y0, sy = fy * fy * (3 - 2 * fy);
      for (let x = 0; x < TILE; x++) {
        const gx = x / step, x0 = Math.floor(gx), fx = gx - x0, sx = fx * fx * (3 - 2 * fx);
        const a = g[(y0 % cells) * cells + (x0 % cells)], b = g[(y0 % cells) * cells + ((x0 + 1) % cells)];
        const c = g[((y0 + 1) % cells) * cells + (x0 % cells)], d = g[((y0 + 1) % cells) * cells + ((x0 + 1) % cells)];
        out[y * TILE + x] += amp * (a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy);
      }
    }
    total += amp;
    amp *= 0.55;
  }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
})();

/** Noise at world (x, z) with `scale` tiles per metre. */
function noise(x: number, z: number, scale: number): number {
  const xi = Math.floor(x * scale * TILE) & (TILE - 1), zi = Math.floor(z * scale * TILE) & (TILE - 1);
  return NOISE[zi * TILE + xi];
}

/** Ground look: base colours and a per-point function returning the colour mix and a brightness factor. */
interface Ground {
  a: Rgb;
  b: Rgb;
  /** Returns t in [0,1] (mix a -> b) for world point (x, z). */
  tex(x: number, z: number): number;
  /** Texture detail fades out beyond this distance (metres). */
  fade: number;
}

interface Sky { top: Rgb; horizon: Rgb; clouds: number; skyline: 'trees' | 'buildings' | 'mountains' | 'none'; skyC: Rgb; skyH: number }

export interface BackgroundSpec {
  setting: Setting;
  seed: number;
}

function makeGround(setting: Setting, rng: Rng): Ground {
  const ox = rng.uniform(0, 100), oz = rng.uniform(0, 100);
  switch (setting) {
    case 'park': case 'field': {
      const g = vary(rng, rng.pick([[80, 130, 60], [100, 140, 70], [70, 115, 55], [120, 140, 80]] as Rgb[]), 12);
      const dirt = vary(rng, [150, 120, 85], 12);
      const sc = rng.uniform(0.04, 0.1);
      const path = setting === 'field' || rng.chance(0.3);
      const pz = rng.uniform(-6, -2), pw = rng.uniform(1, 3);
      return { a: g, b: path ? dirt : darken(g, 0.75), fade: 25, tex: (x, z) => {
        if (path && Math.abs(z - pz + 0.2 * Math.sin(x * 0.3)) < pw) return 0.85 + 0.15 * noise(x + ox, z + oz, 0.3);
        return (path ? 0.4 : 1) * noise(x + ox, z + oz, sc);
      } };
    }
    case 'street': {
      const asphalt = vary(rng, [95, 95, 100], 10);
      const lane = rng.pick([[230, 230, 230], [230, 200, 60]] as Rgb[]);
      const dir = rng.uniform(0, Math.PI);
      const cs = Math.cos(dir), sn = Math.sin(dir);
      const sidewalk = rng.uniform(3, 6);
      const sw = vary(rng, [175, 170, 160], 10);
      return { a: asphalt, b: lane, fade: 30, tex: (x, z) => {
        const u = x * cs + z * sn, v = -x * sn + z * cs;
        if (Math.abs(u) > sidewalk) return 0.55 + 0.1 * ((Math.floor(v) + Math.floor(u)) & 1) * (sw[0] > 0 ? 1 : 0);
        if (Math.abs(u) < 0.06 && (v - Math.floor(v / 3) * 3) < 1.5) return 1;
        return 0.12 * noise(x + ox, z + oz, 0.5);
      } };
    }
    case 'indoor': case 'bedroom': {
      const kind = rng.int(0, 2);
      if (kind === 0) { // boards
        const w = vary(rng, rng.pick([[160, 115, 70], [120, 85, 50], [190, 150, 105]] as Rgb[]), 10);
        const pw = rng.uniform(0.1, 0.2), dir = rng.chance(0.5);
        return { a: w, b: darken(w, 0.7), fade: 12, tex: (x, z) => {
          const u = dir ? x : z, v = dir ? z : x;
          const plank = Math.floor(u / pw);
          const seam = u / pw - plank < 0.06 ? 0.9 : 0;
          const off = (plank * 0.37) % 1;
          const end = ((v / 1.2 + off) % 1 + 1) % 1 < 0.01 ? 0.9 : 0;
          return Math.max(seam, end, 0.35 * noise(u * 0.2, v * 3 + plank * 7, 0.2) + 0.15 * ((plank * 2654435761) % 7) / 7);
        } };
      }
      if (kind === 1) { // tiles
        const t = vary(rng, rng.pick([[210, 205, 195], [170, 170, 175], [220, 215, 205], [140, 110, 90]] as Rgb[]), 10);
        const ts = rng.uniform(0.3, 0.6);
        const chk = rng.chance(0.3);
        return { a: t, b: darken(t, 0.6), fade: 12, tex: (x, z) => {
          const fx = x / ts - Math.floor(x / ts), fz = z / ts - Math.floor(z / ts);
          if (fx < 0.03 || fz < 0.03) return 0.8;
          return chk ? 0.35 * ((Math.floor(x / ts) + Math.floor(z / ts)) & 1) : 0.1 * noise(x, z, 0.3);
        } };
      }
      const c = vary(rng, rng.pick([[150, 60, 50], [90, 100, 120], [170, 160, 140], [80, 100, 80]] as Rgb[]), 15);
      return { a: c, b: darken(c, 0.75), fade: 8, tex: (x, z) => noise(x + ox, z + oz, 0.8) };
    }
    case 'beach': case 'sea': {
      const water = vary(rng, rng.pick([[40, 110, 150], [30, 90, 130], [50, 130, 140]] as Rgb[]), 10);
      const foam: Rgb = [235, 240, 240];
      const sand = vary(rng, [215, 195, 150], 10);
      const shore = setting === 'beach' ? rng.uniform(2, 6) : -1e9;
      const dir = rng.uniform(-0.4, 0.4);
      return { a: water, b: foam, fade: 40, tex: (x, z) => {
        const v = z + dir * x;
        if (v < shore) return -1 - 0.2 * noise(x, z, 0.3); // sand (negative marks the alternate colour)
        const w = Math.sin(v * 2.2 + 1.5 * noise(x + ox, z + oz, 0.05) * 6);
        return (w > 0.93 ? 0.7 : 0) + 0.25 * noise(x + ox, z * 2 + oz, 0.08);
      }, ...{ sand } } as Ground & { sand: Rgb };
    }
    case 'snow': {
      const snow = vary(rng, [238, 242, 250], 6);
      return { a: snow, b: [185, 195, 215], fade: 16, tex: (x, z) => 0.5 * noise(x + ox, z + oz, 0.06) + (((z * 0.8 + x * 0.1) % 4 + 4) % 4 < 0.05 ? 0.4 : 0) };
    }
    case 'court': {
      const c = vary(rng, rng.pick([[60, 110, 160], [70, 130, 80], [180, 90, 60]] as Rgb[]), 10);
      const lines = [-5.5, -4.1, 0, 4.1, 5.5];
      const rot = rng.uniform(-0.2, 0.2);
      return { a: c, b: [245, 245, 245], fade: 14, tex: (x, z) => {
        const u = x * Math.cos(rot) - z * Math.sin(rot), v = x * Math.sin(rot) + z * Math.cos(rot);
        for (const l of lines) if (Math.abs(u - l) < 0.04) return 1;
        if (Math.abs(v - 6.4) < 0.04 || Math.abs(v + 6.4) < 0.04 || Math.abs(v - 11.9) < 0.04) return 1;
        return 0.08 * noise(x, z, 0.3);
      } };
    }
  }
}

function makeSky(setting: Setting, rng: Rng): Sky {
  const overcast = rng.chance(0.25);
  const top: Rgb = overcast ? vary(rng, [170, 175, 185], 10) : vary(rng, [70, 130, 210], 20);
  const horizon: Rgb = overcast ? vary(rng, [210, 212, 218], 8) : vary(rng, [190, 215, 240], 12);
  const skyline = setting === 'snow' ? 'mountains' : setting === 'street' ? 'buildings' : setting === 'sea' || setting === 'beach' ? 'none' : rng.pick(['trees', 'trees', 'buildings', 'mountains'] as const);
  const skyC: Rgb = skyline === 'trees' ? vary(rng, [50, 85, 45], 12) : skyline === 'buildings' ? vary(rng, [140, 135, 130], 25) : vary(rng, [110, 120, 140], 15);
  return { top, horizon, clouds: overcast ? 0 : rng.uniform(0, 0.8), skyline, skyC, skyH: rng.uniform(0.03, 0.12) };
}

/**
 * Paint the background of `r` for the camera. Indoor settings get a back wall behind `centre`. The background is
 * ray-cast at half resolution (it is smooth) and upsampled bilinearly, which keeps generation fast.
 */
export function drawBackground(r: Raster, cam: Camera, spec: BackgroundSpec, centre: readonly number[]): void {
  const k = Math.min(r.width, r.height) >= 192 ? 2 : 1;
  if (k === 1) {
    castBackground(r.rgb, r.width, r.height, cam, spec, centre);
    return;
  }
  const w = Math.ceil(r.width / k) + 1, h = Math.ceil(r.height / k) + 1;
  if (_small.length < w * h * 3) _small = new Uint8Array(w * h * 3);
  const small = _small;
  castBackground(small, w, h, { ...cam, focal: cam.focal / k, cx: cam.cx / k, cy: cam.cy / k }, spec, centre);
  upsample2(small, w, h, r.rgb, r.width, r.height);
}

/** Bilinear 2x upsample (pixel centres aligned: weights 3/4 and 1/4), integer arithmetic. */
function upsample2(src: Uint8Array, w: number, h: number, dst: Uint8Array, W: number, H: number): void {
  const row = w * 3;
  const acc = new Uint16Array(row);
  const colNear = new Int32Array(W), colFar = new Int32Array(W);
  for (let x = 0; x < W; x++) {
    const j = x >> 1;
    colNear[x] = Math.min(w - 1, j) * 3;
    colFar[x] = ((x & 1) ? Math.min(w - 1, j + 1) : Math.max(0, j - 1)) * 3;
  }
  for (let y = 0; y < H; y++) {
    // source rows and weights (x4): even y -> rows i-1 (1) and i (3); odd y -> rows i (3) and i+1 (1)
    const i = y >> 1;
    const near = Math.min(h - 1, i) * row;
    const far = ((y & 1) ? Math.min(h - 1, i + 1) : Math.max(0, i - 1)) * row;
    for (let k = 0; k < row; k++) acc[k] = 3 * src[near + k] + src[far + k];
    let o = y * W * 3;
    for (let x = 0; x < W; x++) {
      const n = colNear[x], f = colFar[x];
      dst[o++] = (3 * acc[n] + acc[f] + 8) >> 4;
      dst[o++] = (3 * acc[n + 1] + acc[f + 1] + 8) >> 4;
      dst[o++] = (3 * acc[n + 2] + acc[f + 2] + 8) >> 4;
    }
  }
}

let _small = new Uint8Array(0);

function castBackground(rgb: Uint8Array, W: number, H: number, cam: Camera, spec: BackgroundSpec, centre: readonly number[]): void {
  const rng = new Rng(spec.seed);
  const ground = makeGround(spec.setting, rng) as Ground & { sand?: Rgb };
  const sky = makeSky(spec.setting, rng);
  const indoor = spec.setting === 'indoor' || spec.setting === 'bedroom';
  // back wall: vertical plane facing the camera, `wallDist` behind the scene centre along the view direction
  const fx = cam.R[6], fz = cam.R[8];
  const fl = Math.hypot(fx, fz) || 1;
  const nx = fx / fl, nz = fz / fl;
  const wallD = nx * (centre[0] - cam.C[0]) + nz * (centre[2] - cam.C[2]) + rng.uniform(0.8, 2.5);
  const wallC = vary(rng, rng.pick([[225, 220, 205], [200, 210, 215], [235, 230, 225], [190, 170, 150], [160, 180, 170], [215, 195, 190]] as Rgb[]), 12);
  const wallStripe = rng.chance(0.3) ? rng.uniform(0.08, 0.25) : 0;
  const wallH = rng.uniform(2.5, 3.0);
  const ceiling = darken(wallC, 0.9);
  const winU = rng.uniform(-2, 2), winW = rng.uniform(0.8, 1.6), winY = rng.uniform(0.9, 1.2), winH = rng.uniform(0.9, 1.3);
  const picU = winU + (rng.chance(0.5) ? 1 : -1) * rng.uniform(1.4, 2.5), picW = rng.uniform(0.4, 0.8), picY = rng.uniform(1.3, 1.6), picH = rng.uniform(0.3, 0.6);
  const picC = vary(rng, [120, 100, 90], 60);
  const hasWin = rng.chance(0.6), hasPic = rng.chance(0.6);
  // tangent along the wall
  const tx = -nz, tz = nx;
  const skylineSeed = rng.uniform(0, 100);
  const haze = sky.horizon;
  const f = cam.focal;
  const R = cam.R, C = cam.C;
  const ga = ground.a, gb = ground.b, sand = ground.sand;
  for (let v = 0; v < H; v++) {
    const yc = (v + 0.5 - cam.cy) / f;
    for (let u = 0; u < W; u++) {
      const xc = (u + 0.5 - cam.cx) / f;
      // world ray = R^T [xc, yc, 1]
      const dx = R[0] * xc + R[3] * yc + R[6];
      const dy = R[1] * xc + R[4] * yc + R[7];
      const dz = R[2] * xc + R[5] * yc + R[8];
      let cr: number, cg: number, cb: number;
      const tFloor = dy < -1e-6 ? -C[1] / dy : Infinity;
      let tWall = Infinity;
      if (indoor) {
        const dn = dx * nx + dz * nz;
        if (dn > 1e-6) tWall = (wallD) / dn;
      }
      if (tFloor < tWall) {
        const x = C[0] + dx * tFloor, z = C[2] + dz * tFloor;
        let t = ground.tex(x, z);
        const detail = Math.exp(-tFloor / ground.fade);
        if (t < 0 && sand) {
          const k = -t - 1;
          cr = sand[0] * (1 - k); cg = sand[1] * (1 - k); cb = sand[2] * (1 - k);
        } else {
          t *= detail;
          cr = ga[0] + (gb[0] - ga[0]) * t; cg = ga[1] + (gb[1] - ga[1]) * t; cb = ga[2] + (gb[2] - ga[2]) * t;
        }
        if (!indoor) {
          const h = 1 - Math.exp(-tFloor / 60);
          cr += (haze[0] - cr) * h; cg += (haze[1] - cg) * h; cb += (haze[2] - cb) * h;
        }
      } else if (indoor && tWall < Infinity) {
        const wy = C[1] + dy * tWall;
        const wu = (C[0] + dx * tWall) * tx + (C[2] + dz * tWall) * tz;
        if (wy > wallH) { cr = ceiling[0]; cg = ceiling[1]; cb = ceiling[2]; }
        else if (wy < 0.1) { cr = wallC[0] * 0.7; cg = wallC[1] * 0.7; cb = wallC[2] * 0.7; }
        else if (hasWin && Math.abs(wu - winU) < winW / 2 && Math.abs(wy - winY - winH / 2) < winH / 2) {
          const frame = Math.abs(wu - winU) > winW / 2 - 0.05 || Math.abs(wy - winY - winH / 2) > winH / 2 - 0.05 || Math.abs(wu - winU) < 0.025;
          if (frame) { cr = 240; cg = 240; cb = 238; } else { const k = (wy - winY) / winH; cr = 150 + 60 * k; cg = 190 + 40 * k; cb = 230; }
        } else if (hasPic && Math.abs(wu - picU) < picW / 2 && Math.abs(wy - picY - picH / 2) < picH / 2) {
          const edge = Math.abs(wu - picU) > picW / 2 - 0.03 || Math.abs(wy - picY - picH / 2) > picH / 2 - 0.03;
          const k = noise(wu, wy, 0.5);
          cr = edge ? 60 : picC[0] * (0.5 + k); cg = edge ? 45 : picC[1] * (0.5 + k); cb = edge ? 30 : picC[2] * (0.5 + k);
        } else {
          const s = wallStripe > 0 && (wu / wallStripe - Math.floor(wu / wallStripe)) < 0.5 ? 0.93 : 1;
          const shade = 0.92 + 0.08 * Math.min(1, wy / 2);
          cr = wallC[0] * s * shade; cg = wallC[1] * s * shade; cb = wallC[2] * s * shade;
        }
      } else {
        // sky: elevation from the ray's y
        const len = Math.sqrt(dx * dx + dy * dy + dz * dz);
        const e = dy / len;
        const k = Math.min(1, Math.max(0, e * 2.2));
        cr = sky.horizon[0] + (sky.top[0] - sky.horizon[0]) * k;
        cg = sky.horizon[1] + (sky.top[1] - sky.horizon[1]) * k;
        cb = sky.horizon[2] + (sky.top[2] - sky.horizon[2]) * k;
        const az = Math.atan2(dx, dz);
        if (sky.skyline !== 'none') {
          let hgt: number;
          if (sky.skyline === 'buildings') {
            const b = Math.floor(az * 12 + skylineSeed);
            hgt = sky.skyH * (0.5 + 1.5 * (((b * 2654435761) >>> 0) % 97) / 97);
          } else if (sky.skyline === 'mountains') {
            hgt = sky.skyH * 1.6 * noise(az * 0.8 + skylineSeed, 0.5, 0.25);
          } else {
            hgt = sky.skyH * (0.6 + 0.6 * noise(az * 3 + skylineSeed, 0.3, 0.5));
          }
          if (e < hgt) {
            const s: Rgb = sky.skyline === 'mountains' && e > hgt * 0.75 ? [235, 238, 245] : sky.skyC;
            const win = sky.skyline === 'buildings' && ((Math.floor(e * 300) & 1) === 0) && ((Math.floor(az * 240) & 1) === 0) ? 0.8 : 1;
            const sc = mix(s, sky.horizon, 0.25);
            cr = sc[0] * win; cg = sc[1] * win; cb = sc[2] * win;
          }
        }
        if (sky.clouds > 0 && e > 0.02) {
          const c = noise(dx / (dy + 0.05) * 0.4 + skylineSeed, dz / (dy + 0.05) * 0.4, 0.05);
          const m = Math.max(0, c - (1 - sky.clouds * 0.6)) * 3;
          const mm = m > 1 ? 1 : m;
          cr += (250 - cr) * mm; cg += (250 - cg) * mm; cb += (252 - cb) * mm;
        }
      }
      const o = (v * W + u) * 3;
      rgb[o] = cr; rgb[o + 1] = cg; rgb[o + 2] = cb;
    }
  }
}
