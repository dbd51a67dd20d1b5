/**
 * A renderable 3D shape: triangles and capsules in metres, built from a few primitives (box, frustum, ellipsoid,
 * capsule, ring, extruded outline) and drawn by `renderShape` with a depth test. Object models, furniture and the
 * partner figure of the synthetic scenes are all Shapes.
 */
import { apply, add, cross, normalize, sub, type Mat3, type Vec3 } from './vec.ts';
import type { Paint } from './raster.ts';

export interface Tri {
  a: Vec3; b: Vec3; c: Vec3;
  paint: Paint;
  /** Surface coordinates (s, t) of a, b, c for the paint's pattern. */
  st: [number, number, number, number, number, number];
  /** Drawn from both sides (thin plates); closed meshes are back-face culled. */
  twoSided: boolean;
}

export interface Capsule {
  a: Vec3; b: Vec3;
  /** Radii at a and b, metres. */
  ra: number; rb: number;
  paint: Paint;
}

const NO_ST: Tri['st'] = [0, 0, 0, 0, 0, 0];

export class Shape {
  tris: Tri[] = [];
  caps: Capsule[] = [];

  /** Append another shape (same frame). */
  merge(other: Shape): this {
    for (const t of other.tris) this.tris.push(t);
    for (const c of other.caps) this.caps.push(c);
    return this;
  }

  tri(a: Vec3, b: Vec3, c: Vec3, paint: Paint, st: Tri['st'] = NO_ST, twoSided = false): this {
    this.tris.push({ a, b, c, paint, st, twoSided });
    return this;
  }

  /** Quad a-b-c-d (counter-clockwise seen from outside); st from the edge lengths. */
  quad(a: Vec3, b: Vec3, c: Vec3, d: Vec3, paint: Paint, twoSided = false): this {
    const w = Math.hypot(...sub(b, a)), h = Math.hypot(...sub(d, a));
    this.tri(a, b, c, paint, [0, 0, w, 0, w, h], twoSided);
    this.tri(a, c, d, paint, [0, 0, w, h, 0, h], twoSided);
    return this;
  }

  /** Axis-aligned box centred at `c` with full sizes `s`, optionally rotated by `R` about its centre. */
  box(c: Vec3, s: Vec3, paint: Paint, R?: Mat3): this {
    const hx = s[0] / 2, hy = s[1] / 2, hz = s[2] / 2;
    const p = (x: number, y: number, z: number): Vec3 => add(c, R ? apply(R, [x, y, z]) : [x, y, z]);
    const v = [p(-hx, -hy, -hz), p(hx, -hy, -hz), p(hx, hy, -hz), p(-hx, hy, -hz), p(-hx, -hy, hz), p(hx, -hy, hz), p(hx, hy, hz), p(-hx, hy, hz)];
    this.quad(v[4], v[5], v[6], v[7], paint); // +z
    this.quad(v[1], v[0], v[3], v[2], paint); // -z
    this.quad(v[5], v[1], v[2], v[6], paint); // +x
    this.quad(v[0], v[4], v[7], v[3], paint); // -x
    this.quad(v[7], v[6], v[2], v[3], paint); // +y
    this.quad(v[0], v[1], v[5], v[4], paint); // -y
    return this;
  }

  /** Frustum (cylinder when rb = ra) from a to b with `n` sides; caps closed unless `open`. */
  frustum(a: Vec3, b: Vec3, ra: number, rb: number, paint: Paint, n = 12, open = false, capPaint?: Paint): this {
    const ax = normalize(sub(b, a));
    const u = normalize(cross(ax, Math.abs(ax[1]) < 0.9 ? [0, 1, 0] : [1, 0, 0]));
    const v = cross(ax, u);
    const ring = (c: Vec3, r: number, k: number): Vec3 => {
      const ang = (2 * Math.PI * k) / n;
      const cs = Math.cos(ang) * r, sn = Math.sin(ang) * r;
      return [c[0] + u[0] * cs + v[0] * sn, c[1] + u[1] * cs + v[1] * sn, c[2] + u[2] * cs + v[2] * sn];
    };
    const h = Math.hypot(...sub(b, a));
    for (let k = 0; k < n; k++) {
      const a0 = ring(a, ra, k), a1 = ring(a, ra, k + 1), b0 = ring(b, rb, k), b1 = ring(b, rb, k + 1);
      const s0 = (k / n) * 2 * Math.PI * ra, s1 = ((k + 1) / n) * 2 * Math.PI * ra;
      this.tri(a0, a1, b1, paint, [s0, 0, s1, 0, s1, h], open);
      this.tri(a0, b1, b0, paint, [s0, 0, s1, h, s0, h], open);
      if (!open) {
        const cp = capPaint ?? paint;
        this.tri(a, a1, a0, cp);
        this.tri(b, b0, b1, cp);
      }
    }
    return this;
  }

  /** Ellipsoid at `c` with radii `r` (local axes rotated by `R`), `nu` x `nv` facets. */
  ellipsoid(c: Vec3, r: Vec3, paint: Paint, R?: Mat3, nu = 12, nv = 7): this {
    const pt = (i: number, j: number): Vec3 => {
      const lon = (2 * Math.PI * i) / nu, lat = -Math.PI / 2 + (Math.PI * j) / nv;
      const l: Vec3 = [r[0] * Math.cos(lat) * Math.cos(lon), r[1] * Math.sin(lat), r[2] * Math.cos(lat) * Math.sin(lon)];
      return add(c, R ? apply(R, l) : l);
    };
    const st = (i: number, j: number): [number, number] => [(i / nu) * 2 * Math.PI * r[0], (j / nv) * Math.PI * r[1]];
    for (let i = 0; i < nu; i++) {
      for (let j = 0; j < nv; j++) {
        const p00 = pt(i, j), p10 = pt(i + 1, j), p11 = pt(i + 1, j + 1), p01 = pt(i, j + 1);
        const [s0, t0] = st(i, j), [s1, t1] = st(i + 1, j + 1);
        // winding: outward normals
        if (j > 0) this.tri(p00, p01, p10, paint, [s0, t0, s0, t1, s1, t0]);
        if (j < nv - 1) this.tri(p10, p01, p11, paint, [s1, t0, s0, t1, s1, t1]);
      }
    }
    return this;
  }

  /** Capsule (tapered when rb is given). */
  capsule(a: Vec3, b: Vec3, r: number, paint: Paint, rb = r): this {
    this.caps.push({ a, b, ra: r, rb, paint });
    return this;
  }

  sphere(c: Vec3, r: number, paint: Paint): this {
    return this.capsule(c, c, r, paint);
  }

  /** A torus-like ring: `n` capsules of radius `r` around a circle of radius `R` in the plane spanned by u, v. */
  ring(c: Vec3, u: Vec3, v: Vec3, R: number, r: number, paint: Paint, n = 16, from = 0, to = 2 * Math.PI): this {
    let prev: Vec3 | null = null;
    for (let k = 0; k <= n; k++) {
      const ang = from + ((to - from) * k) / n;
      const p: Vec3 = [
        c[0] + R * (u[0] * Math.cos(ang) + v[0] * Math.sin(ang)),
        c[1] + R * (u[1] * Math.cos(ang) + v[1] * Math.sin(ang)),
        c[2] + R * (u[2] * Math.cos(ang) + v[2] * Math.sin(ang)),
      ];
      if (prev) this.capsule(prev, p, r, paint);
      prev = p;
    }
    return this;
  }

  /**
   * A convex outline in the local x-z plane (points [x, z], counter-clockwise seen from +y) extruded from y0 to y1:
   * boards, discs, table tops.
   */
  slab(outline: ReadonlyArray<readonly [number, number]>, y0: number, y1: number, top: Paint, side: Paint = top, bottom: Paint = side): this {
    const n = outline.length;
    let cx = 0, cz = 0;
    for (const [x, z] of outline) { cx += x / n; cz += z / n; }
    for (let k = 0; k < n; k++) {
      const [x0, z0] = outline[k], [x1, z1] = outline[(k + 1) % n];
      this.tri([cx, y1, cz], [x1, y1, z1], [x0, y1, z0], top, [cx, cz, x1, z1, x0, z0]);
      this.tri([cx, y0, cz], [x0, y0, z0], [x1, y0, z1], bottom, [cx, cz, x0, z0, x1, z1]);
      this.quad([x0, y0, z0], [x0, y1, z0], [x1, y1, z1], [x1, y0, z1], side);
    }
    return this;
  }

  /** A copy moved by rotation R then translation t. */
  transformed(R: Mat3, t: Vec3): Shape {
    const out = new Shape();
    const f = (p: Vec3): Vec3 => add(apply(R, p), t);
    out.tris = this.tris.map((q) => ({ ...q, a: f(q.a), b: f(q.b), c: f(q.c) }));
    out.caps = this.caps.map((q) => ({ ...q, a: f(q.a), b: f(q.b) }));
    return out;
  }

  /** World-space axis-aligned bounds of the shape's points (capsule radii included). */
  bounds(): { min: Vec3; max: Vec3 } {
    const min: Vec3 = [Infinity, Infinity, Infinity], max: Vec3 = [-Infinity, -Infinity, -Infinity];
    const grow = (p: Vec3, r: number) => {
      for (let i = 0; i < 3; i++) { min[i] = Math.min(min[i], p[i] - r); max[i] = Math.max(max[i], p[i] + r); }
    };
    for (const t of this.tris) { grow(t.a, 0); grow(t.b, 0); grow(t.c, 0); }
    for (const c of this.caps) { grow(c.a, c.ra); grow(c.b, c.rb); }
    return { min, max };
  }
}
