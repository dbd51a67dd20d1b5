/** Colours and surface patterns for the synthetic scenes' objects, furniture and figures. */
import type { Paint, PatternFn } from './raster.ts';
import type { Rng } from './rng.ts';

export type Rgb = readonly [number, number, number];

export const paint = (c: Rgb, c2?: Rgb, pattern?: PatternFn): Paint =>
  c2 ? { r: c[0], g: c[1], b: c[2], r2: c2[0], g2: c2[1], b2: c2[2], pattern } : { r: c[0], g: c[1], b: c[2] };

/** A colour near `c` (each channel +- `amount`). */
export function vary(rng: Rng, c: Rgb, amount = 18): Rgb {
  return [c[0] + rng.uniform(-amount, amount), c[1] + rng.uniform(-amount, amount), c[2] + rng.uniform(-amount, amount)];
}

export const darken = (c: Rgb, k: number): Rgb => [c[0] * k, c[1] * k, c[2] * k];
export const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Stripes of `period` metres along s (duty 0.5). */
export const stripes = (period: number, duty = 0.5): PatternFn => (s) => ((s / period) - Math.floor(s / period) < duty ? 1 : 0);
/** Stripes along t. */
export const stripesT = (period: number, duty = 0.5): PatternFn => (_s, t) => ((t / period) - Math.floor(t / period) < duty ? 1 : 0);
/** Checker of `period` metres. */
export const checker = (period: number): PatternFn => (s, t) => ((Math.floor(s / period) + Math.floor(t / period)) & 1);
/** Wood grain: soft bands along s. */
export const woodGrain = (period: number): PatternFn => (s, t) => 0.5 + 0.5 * Math.sin((s + 0.15 * Math.sin(t * 9)) * (6.283 / period));
/** Dots of radius r on a grid of `period`. */
export const dots = (period: number, r: number): PatternFn => (s, t) => {
  const u = s / period - Math.floor(s / period) - 0.5, v = t / period - Math.floor(t / period) - 0.5;
  return u * u + v * v < (r / period) * (r / period) ? 1 : 0;
};

/** Bright, saturated colours (sports gear, umbrellas, boards). */
export const BRIGHT: readonly Rgb[] = [
  [220, 40, 40], [240, 140, 20], [245, 210, 30], [40, 170, 70], [30, 120, 220], [120, 60, 200], [230, 60, 150],
  [20, 190, 190], [250, 250, 250], [30, 30, 35],
];
/** Woods. */
export const WOODS: readonly Rgb[] = [[150, 100, 60], [120, 80, 45], [180, 135, 85], [95, 60, 35], [200, 160, 110]];
/** Metals and plastics. */
export const METALS: readonly Rgb[] = [[170, 170, 175], [90, 90, 95], [40, 40, 45], [200, 200, 205]];
/** Fabrics (couches, beds, clothes). */
export const FABRICS: readonly Rgb[] = [
  [120, 40, 45], [60, 70, 110], [90, 110, 80], [170, 150, 120], [80, 80, 85], [150, 60, 30], [200, 190, 170],
  [40, 60, 60], [110, 80, 120], [190, 120, 80],
];
/** Skin tones. */
export const SKINS: readonly Rgb[] = [[245, 205, 175], [225, 180, 140], [200, 150, 110], [160, 110, 75], [120, 80, 55], [90, 60, 40]];
/** Hair. */
export const HAIRS: readonly Rgb[] = [[30, 25, 20], [70, 45, 25], [120, 80, 40], [200, 170, 110], [140, 140, 140], [20, 20, 20]];
/** Clothes. */
export const CLOTHES: readonly Rgb[] = [...FABRICS, [230, 230, 230], [25, 25, 30], [40, 60, 140], [180, 30, 40], [230, 200, 60]];
