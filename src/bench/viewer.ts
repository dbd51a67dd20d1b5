/**
 * Benchmark cases of the viewer: `viewer_frame_ms`, the frame time while orbiting two meshes in headless Chromium
 * (SwiftShader WebGL on a machine without a GPU, so an upper bound for a laptop GPU). The page is the viewer as users
 * get it, in a 1280x720 viewport (the 3D canvas at its normal size), each frame waited for. Beside the time it reports
 * what a frame draws: canvas size, draw calls and triangles (renderer.info), as extra keys and in the note. Null, with
 * a note, when there is no Chromium.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './types.ts';

const FRAMES = 60;
/** A typical laptop browser window. */
export const BENCH_VIEWPORT = { width: 1280, height: 720 };

export const viewerBench: BenchCase[] = [
  {
    key: 'viewer_frame_ms',
    label: `frame time orbiting two meshes, headless Chromium (median of ${FRAMES} frames)`,
    unit: 'ms',
    target: '<= 16.7 (60 fps, laptop GPU)',
    async run(ctx) {
      const { launchChromium } = await import('../server/headless-chromium.ts');
      const launched = await launchChromium();
      if (!launched.browser) return { value: null, note: launched.reason };
      const { startServer } = await import('../server/start-server.ts');
      const { pino } = await import('pino');
      const outDir = mkdtempSync(join(tmpdir(), 'pinplace-bench-viewer-'));
      const srv = await startServer({ port: 0, outDir, logger: pino({ level: 'silent' }) });
      try {
        const page = await launched.browser.newPage({ viewport: BENCH_VIEWPORT });
        const t0 = performance.now();
        await page.goto(srv.url);
        await page.waitForFunction(() => (window as unknown as { __viewerReady?: boolean }).__viewerReady === true, undefined, { timeout: 120_000 });
        const firstSceneMs = performance.now() - t0;
        type Run = import('../../viewer/src/panel-3d.ts').OrbitBench;
        const runs: Run[] = [];
        for (let i = 0; i < Math.max(1, Math.min(ctx.reps, 3)); i++) {
          runs.push(await page.evaluate((n) => (window as unknown as { __viewer: { benchOrbit(n: number): Run } }).__viewer.benchOrbit(n), FRAMES));
        }
        const med = runs.map((r) => r.medianMs).sort((a, b) => a - b)[runs.length >> 1];
        const last = runs[runs.length - 1];
        const c = last.canvas;
        const drawn = `${last.meshes} bodies (${last.level === 'coarse' ? 'coarse level' : last.level === 'full' ? 'full mesh' : 'shader-skinned'}), ${last.calls} draw calls, ${last.triangles} triangles`;
        ctx.log(`viewer bench: canvas ${c.width}x${c.height} px in a ${BENCH_VIEWPORT.width}x${BENCH_VIEWPORT.height} viewport, ${drawn}${last.stand_in ? ' (stand-in figures: no fitted body)' : ''}`);
        return {
          value: med,
          note: `canvas ${c.width}x${c.height} (pixel ratio ${c.pixelRatio}), ${drawn}, ${/swiftshader/i.test(last.renderer) ? 'SwiftShader (CPU)' : last.renderer}, MSAA ${last.antialias ? 'on' : 'off'}${last.stand_in ? ', stand-in figures (no fitted body)' : ''}`,
          extra: {
            viewer_first_scene_ms: firstSceneMs, viewer_canvas_width_px: c.width, viewer_canvas_height_px: c.height,
            viewer_draw_calls: last.calls, viewer_triangles: last.triangles,
          },
        };
      } finally {
        await launched.browser.close();
        await srv.close();
        rmSync(outDir, { recursive: true, force: true });
      }
    },
  },
];
