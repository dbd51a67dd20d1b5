/**
 * End-to-end: the viewer in headless Debian Chromium over a server on fake domain functions. Skipped, with the
 * reason, when Chromium is not installed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseOpenPoseFile, parseSkeletonFile } from '../../src/data/formats.ts';
import { findChromium } from '../../src/server/headless-chromium.ts';
import { ARTIFACTS, SCENE, openViewer, waitForUpdate, type ViewerFixture } from './viewer-fixture.ts';

interface ViewerHandle {
  state(): {
    pins: Array<{ joint: number; x: number; y: number }>; sample: number; personBox: number[]; objectBox: number[];
    keypoints: number[][]; samples: number; fitId: string | null; guidance: Record<string, string>; busy: number; updates: number;
    errors: string[]; undo: number; fitOn: string; browserBackend: string | null;
  };
  dump(): { meshes: number; skinned: number; bones: number; vertices: number; bounds: number[] | null; alignmentPx: number | null; camera: { photoView: boolean } };
  toClient(x: number, y: number): [number, number];
  orbit(r: number): void;
  photoView(): void;
}
const viewer = (page: Page) => ({
  state: () => page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.state()),
  dump: () => page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.dump()),
});

/** Luma variance of a PNG screenshot (0 for a blank canvas). */
function lumaVariance(png: Buffer): number {
  const img = PNG.sync.read(png);
  let sum = 0;
  let sq = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const l = 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2];
    sum += l;
    sq += l * l;
  }
  return sq / n - (sum / n) ** 2;
}

function pixelDiff(a: Buffer, b: Buffer): number {
  const x = PNG.sync.read(a);
  const y = PNG.sync.read(b);
  let d = 0;
  for (let i = 0; i < x.data.length; i += 4) if (Math.abs(x.data[i] - y.data[i]) + Math.abs(x.data[i + 1] - y.data[i + 1]) > 30) d++;
  return d / (x.width * x.height);
}

/** Drag with the mouse from one image point to another on the 2D canvas. */
async function dragOnPhoto(page: Page, from: number[], to: number[]): Promise<void> {
  await page.locator('#canvas-2d').scrollIntoViewIfNeeded();
  const [fx, fy] = await page.evaluate(([x, y]) => (window as unknown as { __viewer: ViewerHandle }).__viewer.toClient(x, y), from);
  const [tx, ty] = await page.evaluate(([x, y]) => (window as unknown as { __viewer: ViewerHandle }).__viewer.toClient(x, y), to);
  await page.mouse.move(fx, fy);
  await page.mouse.down();
  await page.mouse.move((fx + tx) / 2, (fy + ty) / 2, { steps: 3 });
  await page.mouse.move(tx, ty, { steps: 3 });
  await page.mouse.up();
}

const chromium = findChromium();
if (!chromium) console.warn('test/viewer: browser tests skipped: no Chromium found (apt-get install -y chromium)');

describe.skipIf(!chromium)('viewer in headless Chromium', () => {
  let fx: ViewerFixture;
  let page: Page;

  beforeAll(async () => {
    fx = await openViewer();
    page = fx.page;
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('opens on the sample scene, generated and fitted, with no console errors', async () => {
    const s = await viewer(page).state();
    expect(s.samples).toBe(4);
    expect(s.personBox).toEqual(SCENE.person_box);
    expect(s.keypoints).toHaveLength(17);
    expect(s.errors).toEqual([]);
    const d = await viewer(page).dump();
    expect(d.meshes).toBeGreaterThanOrEqual(1);
    expect(d.skinned).toBeGreaterThanOrEqual(1);
    expect(d.bones).toBeGreaterThan(1);
    // The body seen through the viewer's camera lands on the 2D skeleton (photo-matched camera).
    expect(d.alignmentPx).not.toBeNull();
    expect(d.alignmentPx!).toBeLessThan(0.5);
    expect(await page.locator('#backends').textContent()).toContain('server fit: tfjs fake');
    expect(fx.consoleErrors).toEqual([]);
    writeFileSync(join(ARTIFACTS, 'viewer.png'), await page.screenshot({ fullPage: true }));
  });

  it('draws a 3D canvas that is not blank and changes when orbiting', async () => {
    const canvas = page.locator('#canvas-3d');
    const front = await canvas.screenshot();
    expect(lumaVariance(front)).toBeGreaterThan(50);
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.orbit(0.9));
    const side = await canvas.screenshot();
    writeFileSync(join(ARTIFACTS, 'viewer-3d-orbit.png'), side);
    expect(pixelDiff(front, side)).toBeGreaterThan(0.02);
    expect((await viewer(page).dump()).camera.photoView).toBe(false);
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
    expect((await viewer(page).dump()).camera.photoView).toBe(true);
  });

  it('draws only when something changes, and once per orbit step', async () => {
    const frames = () => page.evaluate(() => (window as unknown as { __viewer: { frames(): number } }).__viewer.frames());
    const idle0 = await frames();
    await page.waitForTimeout(400);
    expect(await frames()).toBe(idle0);
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.orbit(0.2));
    expect(await frames()).toBe(idle0 + 1);
    // Dragging on the canvas (OrbitControls) asks for frames; they stop when the mouse does.
    const box = (await page.locator('#canvas-3d').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(100);
    const dragged = await frames();
    expect(dragged).toBeGreaterThan(idle0 + 1);
    await page.waitForTimeout(400);
    expect(await frames()).toBe(dragged);
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
  });

  it('reports what an orbit frame draws: canvas, draw calls, triangles, the posed copy of each body', async () => {
    type Bench = { meshes: number; calls: number; triangles: number; level: string; perf: boolean; canvas: { width: number; height: number; cssWidth: number } };
    const r = await page.evaluate(() => (window as unknown as { __viewer: { benchOrbit(n: number): Bench } }).__viewer.benchOrbit(4));
    expect(r.meshes).toBe(2);
    expect(r.perf).toBe(true);
    expect(['coarse', 'full']).toContain(r.level);
    // Two bodies, the backplate, the ground grid and the bone helper.
    expect(r.calls).toBe(5);
    expect(r.triangles).toBeGreaterThan(100);
    const css = await page.locator('#canvas-3d').boundingBox();
    expect(r.canvas.cssWidth).toBeCloseTo(css!.width, -1);
    expect(r.canvas.width).toBeGreaterThan(300);
    // The bench's extra body is gone again.
    expect((await viewer(page).dump()).meshes).toBe(1);
  });

  it('draws the same picture as shader skinning and the decoded backplate (?perf=0)', async () => {
    const canvas = page.locator('#canvas-3d');
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
    const fast = await canvas.screenshot();
    const other = await page.context().newPage();
    try {
      await other.goto(fx.server.url + '/?perf=0');
      await other.waitForFunction(() => (window as unknown as { __viewerReady?: boolean }).__viewerReady === true, undefined, { timeout: 60_000 });
      await other.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
      const plain = await other.locator('#canvas-3d').screenshot();
      writeFileSync(join(ARTIFACTS, 'viewer-3d-perf-off.png'), plain);
      writeFileSync(join(ARTIFACTS, 'viewer-3d-perf-on.png'), fast);
      expect(pixelDiff(fast, plain)).toBeLessThan(0.01);
    } finally {
      await other.close();
    }
  });

  it('pins a dragged joint, regenerates the rest and refits the mesh', async () => {
    const before = await viewer(page).state();
    const bounds0 = (await viewer(page).dump()).bounds;
    const wrist = before.keypoints[9];
    const target = [wrist[0] + 25, wrist[1] - 30];
    await dragOnPhoto(page, wrist, target);
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.pins).toHaveLength(1);
    expect(after.pins[0].joint).toBe(9);
    expect(after.pins[0].x).toBeCloseTo(target[0], 0);
    expect(after.pins[0].y).toBeCloseTo(target[1], 0);
    expect(after.keypoints[9][0]).toBeCloseTo(target[0], 0);
    // The elbow follows (the fake generator moves neighbours of a pinned joint).
    expect(after.keypoints[7]).not.toEqual(before.keypoints[7]);
    expect(after.fitId).not.toBe(before.fitId);
    expect((await viewer(page).dump()).bounds).not.toEqual(bounds0);
    expect(after.undo).toBe(before.undo + 1);
  });

  it('undoes the joint edit (Ctrl+Z)', async () => {
    const before = await viewer(page).state();
    await page.keyboard.press('Control+z');
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.pins).toEqual([]);
    expect(after.keypoints[9]).not.toEqual(before.keypoints[9]);
  });

  it('moves the object box by dragging it and regenerates', async () => {
    const before = await viewer(page).state();
    const [x1, y1, x2, y2] = before.objectBox;
    await dragOnPhoto(page, [(x1 + x2) / 2, (y1 + y2) / 2], [(x1 + x2) / 2 - 20, (y1 + y2) / 2 - 60]);
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.objectBox).toEqual([x1 - 20, y1 - 60, x2 - 20, y2 - 60]);
    expect(after.keypoints).not.toEqual(before.keypoints);
    expect(after.fitId).not.toBe(before.fitId);
  });

  it('resizes the person box by its corner', async () => {
    const before = await viewer(page).state();
    const [x1, y1, x2, y2] = before.personBox;
    await dragOnPhoto(page, [x2, y2], [x2 + 10, y2 + 8]);
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.personBox).toEqual([x1, y1, x2 + 10, y2 + 8]);
    expect(after.keypoints).not.toEqual(before.keypoints);
  });

  it('switches samples with the picker', async () => {
    const before = await viewer(page).state();
    await page.selectOption('#sample', '2');
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.sample).toBe(2);
    expect(after.keypoints).not.toEqual(before.keypoints);
    expect(after.fitId).not.toBe(before.fitId);
    expect(Object.keys(after.guidance)).toContain('pose.png');
  });

  it('asks for the hand that does the interaction', async () => {
    const before = await viewer(page).state();
    const [x1, y1, x2, y2] = before.objectBox;
    await page.selectOption('#hand', 'right');
    await waitForUpdate(page, before.updates);
    const right = await viewer(page).state();
    // the fake generator puts the asked-for wrist at the object centre
    expect(right.keypoints[10].slice(0, 2)).toEqual([(x1 + x2) / 2, (y1 + y2) / 2]);
    await page.selectOption('#hand', '');
    await waitForUpdate(page, right.updates);
    expect((await viewer(page).state()).keypoints[10]).not.toEqual(right.keypoints[10]);
  });

  it('exports skeleton.json, openpose.json, pose.png and body.glb', async () => {
    const state = await viewer(page).state();
    const got: Record<string, Buffer> = {};
    for (const name of ['skeleton.json', 'openpose.json', 'pose.png', 'body.glb']) {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-export="${name}"]`)]);
      expect(dl.suggestedFilename()).toBe(name);
      const path = join(ARTIFACTS, `export-${name}`);
      await dl.saveAs(path);
      got[name] = readFileSync(path);
    }
    const skel = parseSkeletonFile(JSON.parse(got['skeleton.json'].toString()));
    expect(skel.samples[state.sample].keypoints).toEqual(state.keypoints);
    const op = parseOpenPoseFile(JSON.parse(got['openpose.json'].toString()));
    expect(op.canvas_width).toBe(320);
    const png = PNG.sync.read(got['pose.png']);
    expect([png.width, png.height]).toEqual([320, 240]);
    expect(got['body.glb'].subarray(0, 4).toString()).toBe('glTF');
    expect(fx.consoleErrors).toEqual([]);
  });

  it('shows the OpenPose map and mask, and runs an edit with progress', async () => {
    expect(await page.locator('#pose-img').getAttribute('src')).toMatch(/^\/api\/files\/[0-9a-f]{16}\/pose\.png$/);
    expect(await page.locator('#mask-img').getAttribute('src')).toMatch(/mask\.png$/);
    await page.fill('#edit-server', 'http://127.0.0.1:8188');
    await page.fill('#edit-prompt', 'a person sitting on a chair');
    await page.click('#edit-run');
    await page.waitForFunction(() => {
      const img = document.getElementById('edited-img') as HTMLImageElement;
      return !img.hidden && img.complete && img.naturalWidth > 0;
    }, undefined, { timeout: 15_000 });
    expect(await page.locator('#edit-status').textContent()).toBe('edited');
    expect(await page.locator('#edit-progress').isHidden()).toBe(true);
  });

  it('takes an uploaded image, a drawn person box and a drawn object box', async () => {
    const { testImagePng } = await import('../server/fakes.ts');
    const before = await viewer(page).state();
    await page.setInputFiles('#file', { name: 'mine.png', mimeType: 'image/png', buffer: Buffer.from(await testImagePng(400, 300)) });
    await page.waitForFunction((n) => (window as unknown as { __viewer: ViewerHandle }).__viewer.state().updates > n, before.updates);
    await dragOnPhoto(page, [40, 40], [140, 280]);
    expect((await viewer(page).state()).personBox).toEqual([40, 40, 140, 280]);
    const mid = await viewer(page).state();
    await dragOnPhoto(page, [250, 150], [330, 240]);
    await waitForUpdate(page, mid.updates);
    const after = await viewer(page).state();
    expect(after.objectBox).toEqual([250, 150, 330, 240]);
    expect(after.samples).toBeGreaterThan(0);
    for (const [x, y] of after.keypoints.slice(5)) {
      expect(x).toBeGreaterThan(20);
      expect(y).toBeGreaterThan(20);
    }
    expect(after.fitId).not.toBeNull();
    writeFileSync(join(ARTIFACTS, 'viewer-uploaded.png'), await page.screenshot({ fullPage: true }));
  });

  it('generates a partner interaction (h2h) from a detected person and shows both bodies', async () => {
    const before = await viewer(page).state();
    expect(await page.isDisabled('#hand')).toBe(false);
    await page.check('#h2h');
    await waitForUpdate(page, before.updates);
    expect(await page.isDisabled('#hand')).toBe(true);
    const mid = await viewer(page).state();
    await page.click('#detect');
    await waitForUpdate(page, mid.updates);
    const after = await viewer(page).state();
    expect(after.objectBox).toEqual([10, 10, 60, 120]);
    const d = await viewer(page).dump();
    expect(d.skinned).toBe(2);
    expect(d.alignmentPx!).toBeLessThan(0.5);
    writeFileSync(join(ARTIFACTS, 'viewer-h2h.png'), await page.screenshot({ fullPage: true }));
  });

  it('in h2h mode, pins a dragged joint and regenerates the partner interaction around it', async () => {
    expect(await page.isChecked('#h2h')).toBe(true);
    const before = await viewer(page).state();
    const h2hCalls = fx.fakes.calls.h2h ?? 0;
    const generateCalls = fx.fakes.calls.generate ?? 0;
    const wrist = before.keypoints[10];
    const target = [wrist[0] - 20, wrist[1] + 15];
    await dragOnPhoto(page, wrist, target);
    await waitForUpdate(page, before.updates);
    const after = await viewer(page).state();
    expect(after.pins.map((p) => p.joint)).toEqual([10]);
    expect(after.keypoints[10][0]).toBeCloseTo(target[0], 0);
    expect(after.keypoints[10][1]).toBeCloseTo(target[1], 0);
    // Regenerated by h2h (with the pin), not by the object generator, and refitted with both people.
    expect(fx.fakes.calls.h2h).toBe(h2hCalls + 1);
    expect(fx.fakes.calls.generate ?? 0).toBe(generateCalls);
    expect(after.keypoints[8]).not.toEqual(before.keypoints[8]);
    expect(after.fitId).not.toBe(before.fitId);
    expect((await viewer(page).dump()).skinned).toBe(2);
    expect(after.errors).toEqual([]);
    await page.uncheck('#h2h');
    await waitForUpdate(page, after.updates);
    expect((await viewer(page).dump()).skinned).toBe(1);
  });

  it('ends without console errors', async () => {
    writeFileSync(join(ARTIFACTS, 'viewer-after-edits.png'), await page.screenshot({ fullPage: true }));
    expect(fx.consoleErrors).toEqual([]);
    expect((await viewer(page).state()).errors).toEqual([]);
  });

  it('fits in the browser on tfjs WebGL and says so', async () => {
    // The Levenberg-Marquardt solver keeps this test short on SwiftShader; the gradient solver (the default on
    // WebGL) takes tens of seconds there and is for real GPUs.
    const before = (await viewer(page).dump()).bounds;
    const backend = await page.evaluate(() => (window as unknown as { __viewer: { setFitOn(w: string, s: string): Promise<string> } }).__viewer.setFitOn('browser', 'lm'));
    expect(backend).toBe('webgl');
    const s = await viewer(page).state();
    expect(s.errors).toEqual([]);
    expect(s.fitOn).toBe('browser');
    expect(await page.locator('#backends').textContent()).toContain('fit runs on: this browser');
    expect(await page.locator('#backends').textContent()).toContain('browser fit: tfjs webgl');
    const d = await viewer(page).dump();
    expect(d.skinned).toBe(1);
    expect(d.bones).toBe(24);
    expect(d.bounds).not.toEqual(before);
    expect(d.alignmentPx!).toBeLessThan(1);
    writeFileSync(join(ARTIFACTS, 'viewer-browser-fit.png'), await page.screenshot({ fullPage: true }));
    expect(fx.consoleErrors).toEqual([]);
  }, 180_000);
});

describe.skipIf(!chromium)('viewer on a server without a generator', () => {
  let fx: ViewerFixture;
  let page: Page;
  const reference = [[100, 50], [103, 46], [97, 46], [108, 50], [92, 50], [120, 80], [80, 80], [128, 115], [72, 115], [132, 145],
    [68, 145], [112, 150], [88, 150], [114, 190], [86, 190], [115, 220], [85, 220]].map(([x, y]) => [x, y, 2]);

  beforeAll(async () => {
    fx = await openViewer({ deps: { generate: undefined, missing: { generate: 'no trained model' } }, scene: { reference_keypoints: reference } });
    page = fx.page;
  });
  afterAll(async () => {
    await fx?.close();
  });

  it("shows the scene's reference skeleton, fitted, and says why", async () => {
    const s = await viewer(page).state();
    expect(s.samples).toBe(1);
    expect(s.keypoints[9]).toEqual([132, 145, 1]);
    expect(await page.locator('#status').textContent()).toMatch(/generate is not available on this server: no trained model.*reference skeleton/);
    expect((await viewer(page).dump()).skinned).toBe(1);
  });

  it('moves a dragged joint by hand, refits, and undoes it', async () => {
    const before = await viewer(page).state();
    await dragOnPhoto(page, [132, 145], [150, 120]);
    await waitForUpdate(page, before.updates);
    const moved = await viewer(page).state();
    expect(moved.keypoints[9][0]).toBeCloseTo(150, 0);
    expect(moved.keypoints[9][1]).toBeCloseTo(120, 0);
    expect(moved.keypoints[7]).toEqual(before.keypoints[7]);
    expect(moved.fitId).not.toBe(before.fitId);
    expect(moved.guidance['pose.png']).toBeDefined();
    expect(moved.errors).toEqual([]);
    await page.click('#undo');
    await waitForUpdate(page, moved.updates);
    expect((await viewer(page).state()).keypoints[9]).toEqual([132, 145, 1]);
    expect(fx.consoleErrors).toEqual([]);
  });
});

describe.skipIf(!chromium)('viewer on the bundled sample scene with the real fitter and guidance', () => {
  let fx: ViewerFixture;
  let page: Page;

  beforeAll(async () => {
    const [{ fit }, { guidanceFiles }, { DEFAULT_SAMPLE_DIR }] = await Promise.all([
      import('../../src/mesh/fit.ts'), import('../../src/edit/guidance.ts'), import('../../src/server/app.ts'),
    ]);
    // generate is left out so that the scene shows its reference skeleton whether or not a model is trained.
    fx = await openViewer({ sampleDir: DEFAULT_SAMPLE_DIR, deps: { fit, guidanceFiles, generate: undefined, missing: { generate: 'left out in this test' } } }, 90_000);
    page = fx.page;
  }, 120_000);
  afterAll(async () => {
    await fx?.close();
  });

  it('shows the scene with its skeleton, the fitted body lined up with the photo, and the OpenPose map', async () => {
    const s = await viewer(page).state();
    expect(s.keypoints).toHaveLength(17);
    expect(s.personBox).toEqual(JSON.parse(readFileSync(join(ARTIFACTS, '..', 'assets', 'sample', 'scene.json'), 'utf8')).person_box);
    const d = await viewer(page).dump();
    expect(d.skinned).toBe(1);
    expect(d.bones).toBe(24);
    expect(d.vertices).toBeGreaterThan(1000);
    expect(d.alignmentPx!).toBeLessThan(1);
    // The posed copy is made right after the body's first frame.
    await page.waitForFunction(() => {
      const dump = (window as unknown as { __viewer: { dump(): { posed: number; skinned: number } } }).__viewer.dump();
      return dump.posed === dump.skinned;
    }, undefined, { timeout: 10_000 });
    expect(s.guidance['pose.png']).toMatch(/pose\.png$/);
    expect(lumaVariance(await page.locator('#canvas-3d').screenshot())).toBeGreaterThan(50);
    writeFileSync(join(ARTIFACTS, 'viewer-sample-scene.png'), await page.screenshot({ fullPage: true }));
    expect(fx.consoleErrors).toEqual([]);
  });

  it('draws the fitted body posed on the CPU (and coarse while small) as shader skinning draws it', async () => {
    type Bench = { level: string; triangles: number; cellPx: number };
    const r = await page.evaluate(() => (window as unknown as { __viewer: { benchOrbit(n: number): Bench } }).__viewer.benchOrbit(2));
    await page.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
    const fast = await page.locator('#canvas-3d').screenshot();
    const other = await page.context().newPage();
    try {
      await other.goto(fx.server.url + '/?perf=0');
      await other.waitForFunction(() => (window as unknown as { __viewerReady?: boolean }).__viewerReady === true, undefined, { timeout: 90_000 });
      await other.evaluate(() => (window as unknown as { __viewer: ViewerHandle }).__viewer.photoView());
      const plain = await other.locator('#canvas-3d').screenshot();
      writeFileSync(join(ARTIFACTS, 'viewer-sample-perf-on.png'), fast);
      writeFileSync(join(ARTIFACTS, 'viewer-sample-perf-off.png'), plain);
      // Same picture up to the coarse level's silhouette: under 1% of the canvas differs visibly.
      expect(pixelDiff(fast, plain), `level ${r.level}, 2 cm = ${r.cellPx.toFixed(1)} px`).toBeLessThan(0.01);
    } finally {
      await other.close();
    }
  });
});

describe.skipIf(!chromium)('viewer on a server with a configured image server', () => {
  let fx: ViewerFixture;
  let page: Page;

  beforeAll(async () => {
    fx = await openViewer({ deps: { editServer: 'http://127.0.0.1:8188' } });
    page = fx.page;
  });
  afterAll(async () => {
    await fx?.close();
  });

  it('shows that server read-only and edits with it', async () => {
    const field = page.locator('#edit-server');
    expect(await field.inputValue()).toBe('http://127.0.0.1:8188');
    expect(await field.getAttribute('readonly')).not.toBeNull();
    await page.click('#edit-run');
    await page.waitForFunction(() => document.getElementById('edit-status')?.textContent === 'edited', undefined, { timeout: 15_000 });
    expect(fx.consoleErrors).toEqual([]);
  });
});
