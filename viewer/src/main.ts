/**
 * The viewer: wires the 2D panel, the 3D panel, the edit panel and export to the server's API. On load it shows the
 * bundled sample scene (generated and fitted by the server). Joint drags pin joints and regenerate; box edits
 * regenerate; every result is refitted. `window.__viewer` exposes state for tests and the frame bench.
 */
import type { SkeletonFile } from '../../src/data/formats.ts';
import type { JointPin } from '../../src/server/types.ts';
import { COCO_JOINTS, type Keypoint } from '../../src/skeleton/topology.ts';
import { api, ApiError, type FitResultInfo, type Health, type ImageInfo, type SkeletonResult } from './api-client.ts';
import { download, MIME } from './exporter.ts';
import { Panel2d, type BoxKind } from './panel-2d.ts';
import { Panel3d, type BodyInfo } from './panel-3d.ts';
import type { PhotoCamera } from './photo-camera.ts';
import { UndoStack } from './undo-stack.ts';

type Box = [number, number, number, number];

/** What undo brings back. */
interface Snapshot { personBox: Box | null; objectBox: Box | null; pins: JointPin[]; sample: number; skeleton: SkeletonFile | null }

interface ViewerState {
  health: Health | null;
  image: ImageInfo | null;
  imageEl: HTMLImageElement | null;
  personBox: Box | null;
  objectBox: Box | null;
  pins: JointPin[];
  sample: number;
  skeleton: SkeletonFile | null;
  skeletonId: string | null;
  /** Guidance files (openpose.json, pose.png, mask.png) of the current skeleton and sample. */
  guidance: Record<string, string>;
  fit: FitResultInfo | null;
  glb: ArrayBuffer | null;
  fitOn: 'server' | 'browser';
  browserBackend: string | null;
  busy: number;
  /** Counts finished scene updates (tests wait on it). */
  updates: number;
  errors: string[];
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`viewer: #${id} missing from index.html`);
  return el as T;
};

const state: ViewerState = {
  health: null, image: null, imageEl: null, personBox: null, objectBox: null, pins: [], sample: 0,
  skeleton: null, skeletonId: null, guidance: {}, fit: null, glb: null, fitOn: 'server', browserBackend: null,
  busy: 0, updates: 0, errors: [],
};
const undo = new UndoStack<Snapshot>();
/** Solver of the in-browser fit: `?solver=lm|gradient` in the page URL, else the fitter's choice. */
let browserSolver: 'auto' | 'gradient' | 'lm' = (['lm', 'gradient'] as const).find((s) => s === new URLSearchParams(location.search).get('solver')) ?? 'auto';
let generation = 0;

const panel2d = new Panel2d($<HTMLCanvasElement>('canvas-2d'), {
  jointMoved: (joint, x, y) => {
    remember();
    state.pins = [...state.pins.filter((p) => p.joint !== joint), { joint, x, y }];
    setStatus(`${COCO_JOINTS[joint].replace('_', ' ')} pinned at ${Math.round(x)}, ${Math.round(y)}`);
    if (state.health?.capabilities.generate || !state.skeleton) {
      void regenerate();
      return;
    }
    // No generator on this server: the joint just moves (a hand edit), then guidance and fit follow.
    const skel = structuredClone(state.skeleton);
    skel.samples[state.sample].keypoints[joint] = [x, y, 1];
    state.skeleton = skel;
    state.guidance = {};
    void sampleChanged();
  },
  boxChanged: (kind, box) => {
    remember();
    if (kind === 'person') state.personBox = box; else state.objectBox = box;
    state.pins = [];
    if (kind === 'person' && !state.objectBox) {
      setDrawMode('object');
      setStatus('now draw the object box');
      show2d();
      return;
    }
    setDrawMode(null);
    void regenerate();
  },
});
const panel3d = new Panel3d($<HTMLCanvasElement>('canvas-3d'));
// On a software renderer (no GPU) the gradient solver on WebGL is slow: use Levenberg-Marquardt unless asked.
if (browserSolver === 'auto' && panel3d.softwareRenderer) browserSolver = 'lm';

function setStatus(text: string, error = false): void {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', error);
  if (error) state.errors.push(text);
}

function remember(): void {
  undo.push({ personBox: state.personBox, objectBox: state.objectBox, pins: state.pins, sample: state.sample, skeleton: state.skeleton });
  $<HTMLButtonElement>('undo').disabled = false;
}

function setDrawMode(kind: BoxKind | null): void {
  panel2d.drawMode = kind;
  $('draw-person').setAttribute('aria-pressed', String(kind === 'person'));
  $('draw-object').setAttribute('aria-pressed', String(kind === 'object'));
}

function loadImageElement(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`could not load ${url}`));
    img.src = url;
  });
}

function photoCamera(): PhotoCamera | null {
  const img = state.image;
  if (!img) return null;
  const cam = (state.fit?.body as BodyInfo | undefined)?.camera;
  return cam ? { ...cam, width: img.width, height: img.height } : { focal: Math.hypot(img.width, img.height), cx: img.width / 2, cy: img.height / 2, width: img.width, height: img.height };
}

function keypoints(): Keypoint[] | null {
  return state.skeleton?.samples[state.sample]?.keypoints ?? null;
}

function show2d(): void {
  panel2d.set({
    image: state.imageEl, personBox: state.personBox, objectBox: state.objectBox, keypoints: keypoints(),
    partner: state.skeleton?.partner?.keypoints ?? null, pinned: new Set(state.pins.map((p) => p.joint)),
  });
}

function showSamplePicker(): void {
  const sel = $<HTMLSelectElement>('sample');
  sel.replaceChildren(...(state.skeleton?.samples ?? []).map((s, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = `${i + 1}${typeof s.score === 'number' ? ` (${s.score.toFixed(2)})` : ''}`;
    return o;
  }));
  sel.value = String(state.sample);
}

function showGuidance(): void {
  const pose = $<HTMLImageElement>('pose-img');
  const mask = $<HTMLImageElement>('mask-img');
  if (state.guidance['pose.png']) pose.src = state.guidance['pose.png']; else pose.removeAttribute('src');
  if (state.guidance['mask.png']) mask.src = state.guidance['mask.png']; else mask.removeAttribute('src');
}

function showBackends(): void {
  const server = state.health?.backend ?? 'unknown';
  const browser = state.browserBackend ? `tfjs ${state.browserBackend} (in this browser)` : 'not started';
  $('backends').textContent = `fit runs on: ${state.fitOn === 'browser' ? 'this browser' : 'the server'} · server fit: tfjs ${server} · browser fit: ${browser}`;
}

/** Run `fn` with the busy counter up; API errors go to the status line (never to the console). */
async function busy<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  state.busy++;
  setStatus(`${what}…`);
  try {
    const r = await fn();
    return r;
  } catch (err) {
    setStatus(`${what} failed: ${err instanceof ApiError || err instanceof Error ? err.message : String(err)}`, true);
    return undefined;
  } finally {
    state.busy--;
  }
}

function applySkeleton(r: SkeletonResult): void {
  state.skeleton = r.skeleton;
  state.skeletonId = r.id;
  if (state.sample >= r.skeleton.samples.length) state.sample = 0;
  state.guidance = state.sample === 0 ? r.files : {};
  showSamplePicker();
  show2d();
  showGuidance();
}

/** Generate with the current boxes and pins, then guidance and fit for the chosen sample. */
async function regenerate(): Promise<void> {
  const img = state.image;
  if (!img || !state.personBox || !state.objectBox) {
    show2d();
    return;
  }
  if (!state.health?.capabilities.generate) {
    setStatus(`generate is not available on this server: ${state.health?.missing.generate ?? 'unknown reason'}`, true);
    return;
  }
  const mine = ++generation;
  const category = $<HTMLInputElement>('category').value.trim();
  const action = $<HTMLInputElement>('action').value.trim();
  const hand = $<HTMLSelectElement>('hand').value;
  const samples = Math.max(1, Math.min(16, Number($<HTMLInputElement>('samples').value) || 1));
  const seed = Math.max(0, Math.floor(Number($<HTMLInputElement>('seed').value) || 0));
  const h2h = $<HTMLInputElement>('h2h').checked;
  if (h2h && !state.health?.capabilities.h2h) {
    setStatus(`h2h is not available on this server: ${state.health?.missing.h2h ?? 'unknown reason'}`, true);
    return;
  }
  const r = await busy('generating', () => h2h
    ? api.h2h({ image: img.id, person_box: state.personBox!, partner_box: state.objectBox!, samples, seed, ...(action ? { action } : {}), ...(state.pins.length ? { pins: state.pins } : {}) })
    : api.generate({
      image: img.id, person_box: state.personBox!, object_box: state.objectBox!, samples, seed,
      ...(category ? { category } : {}), ...(action ? { action } : {}), ...(state.pins.length ? { pins: state.pins } : {}),
      ...(hand === 'left' || hand === 'right' ? { hand } : {}),
    }));
  if (!r || mine !== generation) return;
  applySkeleton(r);
  await sampleChanged(mine);
}

/** Guidance (when the sample is not 0) and fit for the chosen sample. */
async function sampleChanged(mine = ++generation): Promise<void> {
  const skel = state.skeleton;
  const img = state.image;
  if (!skel || !img) return;
  show2d();
  const jobs: Array<Promise<unknown>> = [refit(mine)];
  if (state.sample !== 0 || !state.guidance['pose.png']) {
    if (state.health?.capabilities.guidanceFiles) {
      jobs.push(busy('drawing the guidance map', () => api.guidance(img.id, skel, state.sample)).then((g) => {
        if (g && mine === generation) {
          state.guidance = g.files;
          showGuidance();
        }
      }));
    }
  }
  await Promise.all(jobs);
  if (mine === generation) {
    state.updates++;
    if (!state.errors.length || !$('status').classList.contains('error')) setStatus(statusLine());
  }
}

function statusLine(): string {
  const n = state.skeleton?.samples.length ?? 0;
  const fit = state.fit ? ` · fit ${state.fit.ms} ms` : '';
  return `${n} sample${n === 1 ? '' : 's'}, showing ${state.sample + 1}${state.pins.length ? `, ${state.pins.length} pinned` : ''}${fit}`;
}

/** Fit the chosen sample (on the server or in the browser) and show the body. */
async function refit(mine: number): Promise<void> {
  const skel = state.skeleton;
  if (!skel) return;
  if (state.fitOn === 'browser') {
    const r = await busy('fitting in the browser', async () => {
      const bf = await import('./browser-fit.ts');
      return bf.fitInBrowser(skel, state.sample, browserSolver);
    });
    if (!r || mine !== generation) return;
    state.browserBackend = r.backend;
    state.fit = { id: '', body: r.body, bodies: r.bodies, files: {}, ms: r.ms };
    state.glb = r.glb;
  } else {
    if (!state.health?.capabilities.fit) {
      $('fit-info').textContent = `no 3D fit: ${state.health?.missing.fit ?? 'fit is not available on this server'}`;
      return;
    }
    const r = await busy('fitting the body', () => api.fit(skel, state.sample));
    if (!r || mine !== generation) return;
    const glb = await busy('loading the mesh', async () => (await fetch(r.files['body.glb'])).arrayBuffer());
    if (!glb || mine !== generation) return;
    state.fit = r;
    state.glb = glb;
  }
  showBackends();
  await showBody();
}

async function showBody(): Promise<void> {
  const cam = photoCamera();
  if (cam && state.imageEl) panel3d.setPhoto(state.imageEl, cam);
  if (state.glb && state.fit) {
    await panel3d.setBodies([state.glb], (state.fit.bodies?.length ? state.fit.bodies : [state.fit.body]) as BodyInfo[]);
    const b = state.fit.body as { reprojection_error_px?: { mean: number }; backend?: string; solver?: string };
    const where = state.fitOn === 'browser' ? 'browser' : 'server';
    const how = b.backend ? ` (${b.backend}${b.solver ? `, ${b.solver}` : ''})` : '';
    $('fit-info').textContent = `${where} fit${how}: ${state.fit.ms} ms${b.reprojection_error_px ? `, error ${b.reprojection_error_px.mean.toFixed(1)} px` : ''}`;
  }
}

async function setImage(info: ImageInfo): Promise<void> {
  state.image = info;
  state.imageEl = await loadImageElement(info.url);
  state.skeleton = null;
  state.fit = null;
  state.glb = null;
  state.guidance = {};
  panel3d.clearBodies();
  const cam = photoCamera();
  if (cam) panel3d.setPhoto(state.imageEl, cam);
  show2d();
  showGuidance();
}

async function boot(): Promise<void> {
  const health = await busy('connecting', () => api.health());
  if (!health) return;
  state.health = health;
  showBackends();
  showEditServer(health);
  const sample = await busy('loading the sample scene', () => api.sample());
  if (sample?.available && sample.image && sample.scene) {
    await setImage(sample.image);
    state.personBox = [...sample.scene.person_box] as Box;
    state.objectBox = [...sample.scene.object_box] as Box;
    $<HTMLInputElement>('category').value = sample.scene.category ?? '';
    $<HTMLInputElement>('action').value = sample.scene.action ?? '';
    if (sample.generated) {
      $<HTMLInputElement>('samples').value = String(sample.generated.skeleton.samples.length);
      $<HTMLInputElement>('seed').value = String(sample.generated.skeleton.seed ?? 1);
      applySkeleton(sample.generated);
    }
    if (sample.fitted) {
      state.fit = sample.fitted;
      const glb = await busy('loading the mesh', async () => (await fetch(sample.fitted!.files['body.glb'])).arrayBuffer());
      if (glb) state.glb = glb;
      await showBody();
    }
    show2d();
    setStatus(sample.notes.length ? `sample scene: ${sample.notes.join('; ')}` : `sample scene: ${statusLine()}`);
  } else {
    setStatus(sample?.notes.length ? `${sample.notes.join('; ')} · load an image to start` : 'load an image to start');
  }
  state.updates++;
  (window as unknown as { __viewerReady: boolean }).__viewerReady = true;
}

// Controls.
$<HTMLInputElement>('file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const info = await busy('uploading', () => api.upload(file));
  if (!info) return;
  await setImage(info);
  state.personBox = null;
  state.objectBox = null;
  state.pins = [];
  undo.clear();
  $<HTMLButtonElement>('undo').disabled = true;
  setDrawMode('person');
  setStatus('draw the person box, then the object box');
  state.updates++;
});
$('draw-person').addEventListener('click', () => setDrawMode(panel2d.drawMode === 'person' ? null : 'person'));
$('draw-object').addEventListener('click', () => setDrawMode(panel2d.drawMode === 'object' ? null : 'object'));
$('generate').addEventListener('click', () => void regenerate());
$('h2h').addEventListener('change', () => {
  // partner mode has no hand choice (the partner is the object)
  $<HTMLSelectElement>('hand').disabled = $<HTMLInputElement>('h2h').checked;
  void regenerate();
});
$('hand').addEventListener('change', () => void regenerate());
$('detect').addEventListener('click', () => void detectBoxes());

/** Fill the object box (and category) from the detector; in h2h mode the partner is the detected person. */
async function detectBoxes(): Promise<void> {
  const img = state.image;
  if (!img) return;
  if (!state.health?.capabilities.detect) {
    setStatus(`detect is not available on this server: ${state.health?.missing.detect ?? 'unknown reason'}`, true);
    return;
  }
  const d = await busy('detecting', () => api.detect(img.id));
  if (!d) return;
  const h2h = $<HTMLInputElement>('h2h').checked;
  const pick = h2h ? d.people[0] : d.objects[0];
  if (!pick) {
    setStatus(`no ${h2h ? 'person' : 'object'} found in the image; draw the box`);
    return;
  }
  remember();
  state.objectBox = pick.box.map((v) => Math.round(v)) as Box;
  if (!h2h && 'category' in pick) $<HTMLInputElement>('category').value = pick.category;
  state.pins = [];
  await regenerate();
}
$('clear-pins').addEventListener('click', () => {
  if (!state.pins.length) return;
  remember();
  state.pins = [];
  void regenerate();
});
$<HTMLSelectElement>('sample').addEventListener('change', (e) => {
  remember();
  state.sample = Number((e.target as HTMLSelectElement).value);
  state.guidance = {};
  void sampleChanged();
});
$('undo').addEventListener('click', () => {
  const s = undo.pop();
  $<HTMLButtonElement>('undo').disabled = undo.size === 0;
  if (!s) return;
  // The snapshot holds the skeleton itself: no need to generate again, only guidance and fit.
  Object.assign(state, s);
  state.guidance = {};
  showSamplePicker();
  void sampleChanged();
});
$('photo-view').addEventListener('click', () => panel3d.photoView());
document.addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (target.tagName === 'INPUT' || target.tagName === 'SELECT') return;
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    $<HTMLButtonElement>('undo').click();
  }
});
$('edit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void runEdit();
});
for (const b of document.querySelectorAll<HTMLButtonElement>('[data-export]')) {
  b.addEventListener('click', () => void exportFile(b.dataset.export!));
}

async function exportFile(name: string): Promise<void> {
  await busy(`exporting ${name}`, async () => {
    let blob: Blob;
    if (name === 'skeleton.json') {
      if (!state.skeleton) throw new Error('there is no skeleton yet');
      blob = new Blob([JSON.stringify(state.skeleton, null, 1)], { type: MIME[name] });
    } else if (name === 'body.glb') {
      if (!state.glb) throw new Error('there is no fitted body yet');
      blob = new Blob([state.glb], { type: MIME[name] });
    } else {
      const url = state.guidance[name];
      if (!url) throw new Error(`there is no ${name} yet`);
      blob = await (await fetch(url)).blob();
    }
    download(name, blob);
  });
  setStatus(`exported ${name}`);
}

/** The edit panel's server field: the server's configured image server (fixed), or a loopback URL to type. */
function showEditServer(health: Health): void {
  const field = $<HTMLInputElement>('edit-server');
  if (health.editServer) {
    field.value = health.editServer;
    field.readOnly = true;
    field.title = 'the image server this server is configured with (pinplace serve --server URL or PINPLACE_SERVER); edits go only there';
  } else if (health.editServers === 'none') {
    field.value = '';
    field.disabled = true;
    field.placeholder = 'none configured';
    field.title = 'this server has no image server configured and listens beyond loopback; start it with --server URL';
  } else {
    field.title = 'a ComfyUI or AUTOMATIC1111 server on this machine (loopback URL); others need pinplace serve --server URL';
  }
}

async function runEdit(): Promise<void> {
  const server = $<HTMLInputElement>('edit-server').value.trim();
  const prompt = $<HTMLInputElement>('edit-prompt').value.trim();
  const img = state.image;
  const skel = state.skeleton;
  const out = $('edit-status');
  if (!state.health?.capabilities.edit) {
    out.textContent = `edit is not available: ${state.health?.missing.edit ?? 'no edit module'}`;
    return;
  }
  if (state.health.editServers === 'none') {
    out.textContent = 'no image server: start the server with --server URL (or PINPLACE_SERVER)';
    return;
  }
  if ((!server && !state.health.editServer) || !img || !skel) {
    out.textContent = 'set the image server URL (and generate a skeleton) first';
    return;
  }
  const apiName = $<HTMLSelectElement>('edit-api').value as 'comfyui' | 'a1111';
  const progress = $<HTMLProgressElement>('edit-progress');
  progress.hidden = false;
  progress.value = 0;
  let job = await busy('starting the edit', () => api.edit({ image: img.id, skeleton: skel, sample: state.sample, ...(server ? { server } : {}), prompt, api: apiName }));
  while (job && (job.state === 'queued' || job.state === 'running')) {
    progress.value = job.progress;
    out.textContent = job.message;
    await new Promise((r) => setTimeout(r, 500));
    job = await busy('editing', () => api.job(job!.id));
  }
  progress.hidden = true;
  if (!job) return;
  if (job.state === 'done' && job.result) {
    const edited = $<HTMLImageElement>('edited-img');
    edited.src = job.result.files['edited.png'];
    edited.hidden = false;
    out.textContent = 'edited';
  } else {
    out.textContent = `edit failed: ${job.error ?? 'unknown error'}`;
  }
}

/** Switch the fitter between the server and this browser (WebGL); resolves to the browser's tfjs backend. */
async function setFitOn(where: 'server' | 'browser', solver?: 'auto' | 'gradient' | 'lm'): Promise<string> {
  if (solver) browserSolver = solver;
  const select = $<HTMLSelectElement>('fit-on');
  if (where === 'browser') {
    const ok = await busy('starting tfjs in this browser', async () => {
      const bf = await import('./browser-fit.ts');
      state.browserBackend = await bf.startBackend();
      const missing = bf.browserFitMissing();
      if (missing) throw new Error(`the in-browser fitter is not part of this build: ${missing}`);
      if (!state.health?.bodyModel) throw new Error('the server has no body model for the in-browser fitter');
      return true;
    });
    if (!ok) {
      select.value = state.fitOn;
      showBackends();
      return state.browserBackend ?? '';
    }
  }
  state.fitOn = where;
  select.value = where;
  showBackends();
  const mine = ++generation;
  const errors = state.errors.length;
  await refit(mine);
  if (mine === generation) {
    state.updates++;
    if (state.errors.length === errors) setStatus(statusLine());
  }
  return state.browserBackend ?? '';
}
$<HTMLSelectElement>('fit-on').addEventListener('change', (e) => void setFitOn((e.target as HTMLSelectElement).value as 'server' | 'browser'));

// Hooks for tests and the frame bench.
(window as unknown as Record<string, unknown>).__viewer = {
  state: () => ({
    pins: state.pins, sample: state.sample, personBox: state.personBox, objectBox: state.objectBox,
    keypoints: keypoints(), samples: state.skeleton?.samples.length ?? 0, fitId: state.fit?.id ?? null,
    guidance: state.guidance, busy: state.busy, updates: state.updates, errors: state.errors, undo: undo.size,
    fitOn: state.fitOn, browserBackend: state.browserBackend,
  }),
  dump: () => panel3d.dump(),
  toClient: (x: number, y: number) => panel2d.toClient(x, y),
  orbit: (radians: number) => { panel3d.orbit(radians); panel3d.render(); },
  photoView: () => { panel3d.photoView(); panel3d.render(); },
  benchOrbit: (frames: number) => panel3d.benchOrbit(frames),
  /** Frames the 3D panel has drawn so far (it draws on demand). */
  frames: () => panel3d.renderer.info.render.frame,
  setFitOn,
};

void boot();
