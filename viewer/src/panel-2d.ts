/**
 * The 2D panel: the photo with the person and object boxes and the skeleton(s) of the chosen sample, on a canvas.
 * Drag a joint to pin it; drag a box (or its corners) to move or resize it; with a draw mode on, drag on the photo to
 * draw that box. Everything is kept in image pixels; the canvas is scaled to fit.
 */
import { LIMBS, type Keypoint } from '../../src/skeleton/topology.ts';

export type BoxKind = 'person' | 'object';
type Box = [number, number, number, number];

export interface Panel2dScene {
  image: HTMLImageElement | null;
  personBox: Box | null;
  objectBox: Box | null;
  /** The chosen sample's keypoints. */
  keypoints: Keypoint[] | null;
  /** A partner (h2h) skeleton, drawn but not editable. */
  partner: Keypoint[] | null;
  /** Joints that are pinned (drawn with a ring). */
  pinned: Set<number>;
}

export interface Panel2dEvents {
  /** A joint was dropped at (x, y) image pixels. */
  jointMoved(joint: number, x: number, y: number): void;
  /** A box was drawn, moved or resized. */
  boxChanged(kind: BoxKind, box: Box): void;
}

const JOINT_RADIUS = 5;
const HIT_RADIUS = 10;
const HANDLE = 8;
const COLOURS = { person: '#3ddc84', object: '#ffa033', limb: '#4fc3f7', joint: '#ffffff', pin: '#ff4081', partner: '#b39ddb' };

type Drag =
  | { type: 'joint'; joint: number }
  | { type: 'move'; kind: BoxKind; start: [number, number]; box: Box }
  | { type: 'corner'; kind: BoxKind; corner: number; box: Box }
  | { type: 'draw'; kind: BoxKind; start: [number, number] };

export class Panel2d {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private scene: Panel2dScene = { image: null, personBox: null, objectBox: null, keypoints: null, partner: null, pinned: new Set() };
  private drag: Drag | null = null;
  /** Box kind drawn by dragging on empty photo, or null. */
  drawMode: BoxKind | null = null;
  private scale = 1;

  constructor(canvas: HTMLCanvasElement, private readonly events: Panel2dEvents, private readonly maxWidth = 560) {
    this.canvas = canvas;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Panel2d: no 2D canvas context');
    this.ctx = ctx;
    canvas.addEventListener('pointerdown', (e) => this.onDown(e));
    canvas.addEventListener('pointermove', (e) => this.onMove(e));
    canvas.addEventListener('pointerup', (e) => this.onUp(e));
    canvas.addEventListener('pointercancel', () => { this.drag = null; this.draw(); });
  }

  /** Replace what is shown (keeps an ongoing drag's own geometry). */
  set(scene: Partial<Panel2dScene>): void {
    this.scene = { ...this.scene, ...scene };
    const img = this.scene.image;
    if (img) {
      this.scale = Math.min(this.maxWidth / img.naturalWidth, (this.maxWidth * 0.9) / img.naturalHeight);
      const w = Math.round(img.naturalWidth * this.scale);
      const h = Math.round(img.naturalHeight * this.scale);
      if (this.canvas.width !== w || this.canvas.height !== h) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
    }
    this.draw();
  }

  /** Viewport (client) position of an image point (tests use it to drag). */
  toClient(x: number, y: number): [number, number] {
    const c = this.canvas;
    const r = c.getBoundingClientRect();
    return [r.left + c.clientLeft + (x * this.scale * c.clientWidth) / c.width, r.top + c.clientTop + (y * this.scale * c.clientHeight) / c.height];
  }

  private toImage(e: PointerEvent): [number, number] {
    const c = this.canvas;
    const r = c.getBoundingClientRect();
    const sx = c.width / c.clientWidth;
    const sy = c.height / c.clientHeight;
    return [((e.clientX - r.left - c.clientLeft) * sx) / this.scale, ((e.clientY - r.top - c.clientTop) * sy) / this.scale];
  }

  private boxOf(kind: BoxKind): Box | null {
    return kind === 'person' ? this.scene.personBox : this.scene.objectBox;
  }

  private hit(x: number, y: number): Drag | null {
    const tol = HIT_RADIUS / this.scale;
    const kps = this.scene.keypoints;
    if (kps) {
      let best = -1;
      let bestD = tol;
      kps.forEach(([kx, ky, c], i) => {
        const d = Math.hypot(kx - x, ky - y);
        if (c > 0 && d <= bestD) { best = i; bestD = d; }
      });
      if (best >= 0) return { type: 'joint', joint: best };
    }
    for (const kind of ['object', 'person'] as BoxKind[]) {
      const b = this.boxOf(kind);
      if (!b) continue;
      const corners: Array<[number, number]> = [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]];
      const c = corners.findIndex(([cx, cy]) => Math.abs(cx - x) <= tol && Math.abs(cy - y) <= tol);
      if (c >= 0) return { type: 'corner', kind, corner: c, box: [...b] };
    }
    if (this.drawMode) return { type: 'draw', kind: this.drawMode, start: [x, y] };
    for (const kind of ['object', 'person'] as BoxKind[]) {
      const b = this.boxOf(kind);
      if (b && x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]) return { type: 'move', kind, start: [x, y], box: [...b] };
    }
    return null;
  }

  private onDown(e: PointerEvent): void {
    if (!this.scene.image) return;
    const [x, y] = this.toImage(e);
    this.drag = this.hit(x, y);
    if (this.drag) {
      this.canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
    }
  }

  private onMove(e: PointerEvent): void {
    const [x, y] = this.toImage(e);
    const d = this.drag;
    if (!d) {
      const h = this.hit(x, y);
      this.canvas.style.cursor = !h ? 'default' : h.type === 'joint' ? 'grab' : h.type === 'move' ? 'move' : 'crosshair';
      return;
    }
    const img = this.scene.image!;
    const cx = Math.max(0, Math.min(img.naturalWidth, x));
    const cy = Math.max(0, Math.min(img.naturalHeight, y));
    if (d.type === 'joint' && this.scene.keypoints) {
      const kps = this.scene.keypoints.map((k) => [...k] as Keypoint);
      kps[d.joint] = [cx, cy, 1];
      this.scene.keypoints = kps;
    } else if (d.type === 'move') {
      const dx = x - d.start[0];
      const dy = y - d.start[1];
      this.setBox(d.kind, [d.box[0] + dx, d.box[1] + dy, d.box[2] + dx, d.box[3] + dy]);
    } else if (d.type === 'corner') {
      const b: Box = [...d.box];
      if (d.corner === 0 || d.corner === 3) b[0] = cx; else b[2] = cx;
      if (d.corner === 0 || d.corner === 1) b[1] = cy; else b[3] = cy;
      this.setBox(d.kind, b);
    } else if (d.type === 'draw') {
      this.setBox(d.kind, [d.start[0], d.start[1], cx, cy]);
    }
    this.draw();
  }

  private onUp(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (d.type === 'joint') {
      if (!this.scene.keypoints) return;
      const [x, y] = this.scene.keypoints[d.joint];
      this.events.jointMoved(d.joint, Math.round(x * 10) / 10, Math.round(y * 10) / 10);
      return;
    }
    const b = this.boxOf(d.kind);
    if (!b) return;
    const norm: Box = [Math.min(b[0], b[2]), Math.min(b[1], b[3]), Math.max(b[0], b[2]), Math.max(b[1], b[3])].map((v) => Math.round(v)) as Box;
    if (norm[2] - norm[0] < 4 || norm[3] - norm[1] < 4) {
      // Too small to be a box (a click): put the old one back.
      if (d.type !== 'draw') this.setBox(d.kind, d.box);
      this.draw();
      return;
    }
    this.setBox(d.kind, norm);
    this.draw();
    this.events.boxChanged(d.kind, norm);
  }

  private setBox(kind: BoxKind, b: Box): void {
    if (kind === 'person') this.scene.personBox = b; else this.scene.objectBox = b;
  }

  /** Redraw everything. */
  draw(): void {
    const { ctx, canvas, scale: s } = this;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (this.scene.image) ctx.drawImage(this.scene.image, 0, 0, canvas.width, canvas.height);
    ctx.setTransform(s, 0, 0, s, 0, 0);
    for (const kind of ['person', 'object'] as BoxKind[]) {
      const b = this.boxOf(kind);
      if (!b) continue;
      ctx.lineWidth = 2 / s;
      ctx.strokeStyle = COLOURS[kind];
      ctx.setLineDash(kind === 'object' ? [6 / s, 4 / s] : []);
      ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
      ctx.setLineDash([]);
      ctx.fillStyle = COLOURS[kind];
      for (const [x, y] of [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]]) {
        ctx.fillRect(x - HANDLE / 2 / s, y - HANDLE / 2 / s, HANDLE / s, HANDLE / s);
      }
      ctx.font = `${12 / s}px sans-serif`;
      const w = ctx.measureText(kind).width;
      ctx.fillStyle = 'rgba(0, 0, 0, 0.6)';
      ctx.fillRect(b[0], b[1] - 17 / s, w + 8 / s, 15 / s);
      ctx.fillStyle = COLOURS[kind];
      ctx.fillText(kind, b[0] + 4 / s, b[1] - 5 / s);
    }
    if (this.scene.partner) this.drawSkeleton(this.scene.partner, COLOURS.partner, new Set());
    if (this.scene.keypoints) this.drawSkeleton(this.scene.keypoints, COLOURS.limb, this.scene.pinned);
  }

  private drawSkeleton(kps: Keypoint[], colour: string, pinned: Set<number>): void {
    const { ctx, scale: s } = this;
    ctx.lineWidth = 3 / s;
    ctx.strokeStyle = colour;
    ctx.beginPath();
    for (const [a, b] of LIMBS) {
      if (kps[a][2] <= 0 || kps[b][2] <= 0) continue;
      ctx.moveTo(kps[a][0], kps[a][1]);
      ctx.lineTo(kps[b][0], kps[b][1]);
    }
    ctx.stroke();
    kps.forEach(([x, y, c], i) => {
      if (c <= 0) return;
      ctx.beginPath();
      ctx.arc(x, y, JOINT_RADIUS / s, 0, Math.PI * 2);
      ctx.fillStyle = COLOURS.joint;
      ctx.fill();
      if (pinned.has(i)) {
        ctx.lineWidth = 2 / s;
        ctx.strokeStyle = COLOURS.pin;
        ctx.beginPath();
        ctx.arc(x, y, (JOINT_RADIUS + 3) / s, 0, Math.PI * 2);
        ctx.stroke();
        ctx.lineWidth = 3 / s;
        ctx.strokeStyle = colour;
      }
    });
  }
}
