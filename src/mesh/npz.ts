/**
 * NumPy .npy / .npz (zip of .npy) reading and writing on bytes, with no file system: the container of SMPL-format
 * model files (`v_template`, `shapedirs`, `J_regressor`, `weights`, `kintree_table`, `f`, ...). Reads stored and
 * deflated entries (deflate through DecompressionStream where the runtime has it), little-endian
 * f4/f8/i1..i8/u1..u8/b1 arrays in C or Fortran order. Writes stored (uncompressed) entries.
 */
import { FormatError } from '../errors.ts';

/** One array: its values (as float64 or integer typed arrays) and its shape. */
export interface NpyArray {
  data: Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array | Int8Array | Int16Array | Uint16Array;
  shape: number[];
  dtype: string;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zip) of bytes. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Encode one array as .npy bytes (version 1.0, C order). */
export function encodeNpy(a: NpyArray): Uint8Array {
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${a.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const hb = new TextEncoder().encode(header);
  const body = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Uint8Array(10 + hb.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = hb.length & 0xff;
  out[9] = hb.length >> 8;
  out.set(hb, 10);
  out.set(body, 10 + hb.length);
  return out;
}

const TYPED: Record<string, { size: number; make: (buf: ArrayBuffer) => NpyArray['data'] }> = {
  '<f8': { size: 8, make: (b) => new Float64Array(b) },
  '<f4': { size: 4, make: (b) => new Float32Array(b) },
  '<i4': { size: 4, make: (b) => new Int32Array(b) },
  '<u4': { size: 4, make: (b) => new Uint32Array(b) },
  '<i2': { size: 2, make: (b) => new Int16Array(b) },
  '<u2': { size: 2, make: (b) => new Uint16Array(b) },
  '|i1': { size: 1, make: (b) => new Int8Array(b) },
  '|u1': { size: 1, make: (b) => new Uint8Array(b) },
  '|b1': { size: 1, make: (b) => new Uint8Array(b) },
};

/** Decode .npy bytes; 64-bit integers become Float64Array (exact below 2^53; uint32 -1 style roots stay large). */
export function decodeNpy(bytes: Uint8Array, name = 'array'): NpyArray {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new FormatError(`${name} is not a .npy array (bad magic)`);
  }
  const major = bytes[6];
  const hlen = major === 1 ? bytes[8] | (bytes[9] << 8) : bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new FormatError(`${name} has an unreadable .npy header: ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = start + hlen;
  let data: NpyArray['data'];
  if (descr === '<i8' || descr === '<u8') {
    const dv = new DataView(bytes.buffer, bytes.byteOffset + off, count * 8);
    data = new Float64Array(count);
    for (let i = 0; i < count; i++) data[i] = Number(descr === '<i8' ? dv.getBigInt64(i * 8, true) : dv.getBigUint64(i * 8, true));
  } else {
    const t = TYPED[descr];
    if (!t) throw new FormatError(`${name} has dtype ${descr}; allowed: ${[...Object.keys(TYPED), '<i8', '<u8'].join(', ')}`);
    const buf = bytes.slice(off, off + count * t.size).buffer;
    if (buf.byteLength !== count * t.size) throw new FormatError(`${name} is truncated (${buf.byteLength} of ${count * t.size} bytes)`);
    data = t.make(buf);
  }
  if (fortran && shape.length > 1) data = toCOrder(data, shape);
  return { data, shape, dtype: descr };
}

/** Reorder a Fortran-order array into C order. */
function toCOrder(data: NpyArray['data'], shape: number[]): NpyArray['data'] {
  const out = new (data.constructor as new (n: number) => NpyArray['data'])(data.length);
  const n = shape.length;
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < data.length; c++) {
    // c -> multi-index in C order, then Fortran offset
    let rem = c;
    for (let d = n - 1; d >= 0; d--) {
      idx[d] = rem % shape[d];
      rem = Math.floor(rem / shape[d]);
    }
    let f = 0;
    let stride = 1;
    for (let d = 0; d < n; d++) {
      f += idx[d] * stride;
      stride *= shape[d];
    }
    out[c] = data[f];
  }
  return out;
}

/** Write arrays into .npz bytes (zip, stored entries named `<key>.npy`). */
export function encodeNpz(arrays: Record<string, NpyArray>): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [key, arr] of Object.entries(arrays)) {
    const name = enc.encode(`${key}.npy`);
    const data = encodeNpy(arr);
    const crc = crc32(data);
    const lh = new Uint8Array(30 + name.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    lh.set(name, 30);
    const ch = new Uint8Array(46 + name.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    ch.set(name, 46);
    locals.push(lh, data);
    centrals.push(ch);
    offset += lh.length + data.length;
  }
  const cdSize = centrals.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, centrals.length, true);
  ev.setUint16(10, centrals.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + cdSize + 22);
  let p = 0;
  for (const part of [...locals, ...centrals, eocd]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

async function inflateRaw(data: Uint8Array, name: string): Promise<Uint8Array> {
  const DS = (globalThis as { DecompressionStream?: new (f: string) => TransformStream<Uint8Array, Uint8Array> }).DecompressionStream;
  if (!DS) throw new FormatError(`${name} is deflated and this runtime has no DecompressionStream; save the model with numpy.savez (uncompressed)`);
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DS('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Read every array of .npz bytes, keyed by name without `.npy`. */
export async function decodeNpz(bytes: Uint8Array, source = 'model file'): Promise<Record<string, NpyArray>> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new FormatError(`${source} is not an .npz file (no zip directory)`);
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: Record<string, NpyArray> = {};
  const dec = new TextDecoder();
  for (let e = 0; e < count; e++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new FormatError(`${source} has a damaged zip directory`);
    const method = dv.getUint16(p + 10, true);
    const csize = dv.getUint32(p + 20, true);
    const nlen = dv.getUint16(p + 28, true);
    const xlen = dv.getUint16(p + 30, true);
    const clen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nlen));
    p += 46 + nlen + xlen + clen;
    const lnlen = dv.getUint16(local + 26, true);
    const lxlen = dv.getUint16(local + 28, true);
    const start = local + 30 + lnlen + lxlen;
    const raw = bytes.subarray(start, start + csize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = await inflateRaw(raw, `${source}:${name}`);
    else throw new FormatError(`${source}:${name} uses zip method ${method}; allowed: stored (0) or deflate (8)`);
    out[name.replace(/\.npy$/, '')] = decodeNpy(data, `${source}:${name}`);
  }
  return out;
}
