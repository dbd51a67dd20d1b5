/**
 * The diffuser's forward pass in its straightforward formulation (per-head transposes, A' W on the full
 * [B*17, H*P] logits, BatchNorm and A_adj applied to the logits, autodiff LayerNorm), on a model's own weights.
 * Tests compare the optimised forward, its gradients and the fast sampler path against it.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConditionInputs, Diffuser } from '../../src/skeleton/diffuser.ts';
import { BN_EPS } from '../../src/skeleton/attention.ts';
import { gelu, linear, matMul, type ParamStore } from '../../src/skeleton/layers.ts';
import { NUM_JOINTS } from '../../src/skeleton/topology.ts';

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

function mlp(p: ParamStore, pre: string, x: tf.Tensor): tf.Tensor {
  return linear(gelu(linear(x, p.get(`${pre}.fc1.w`), p.get(`${pre}.fc1.b`))), p.get(`${pre}.fc2.w`), p.get(`${pre}.fc2.b`));
}

/** Reference condition: icond [B,17,E], conf [B,17] and the object tokens o [B,P,E]. */
export function referenceCondition(model: Diffuser, inp: ConditionInputs): { icond: tf.Tensor; conf: tf.Tensor; o: tf.Tensor } {
  const p = model.params;
  const c = model.config;
  const B = inp.global.shape[0];
  let icond = tf.reshape(linear(layerNorm(inp.global, p.get('img.ln.g'), p.get('img.ln.b')), p.get('img.fc.w'), p.get('img.fc.b')), [B, NUM_JOINTS, c.embedDim]);
  if (c.personPosition) icond = tf.add(icond, tf.reshape(linear(inp.pbox!, p.get('pbox.w'), p.get('pbox.b')), [B, NUM_JOINTS, c.embedDim]));
  const conf = tf.sigmoid(linear(inp.global, p.get('conf.w'), p.get('conf.b')));
  let o = linear(gelu(linear(inp.roi, p.get('obj.fc1.w'), p.get('obj.fc1.b'))), p.get('obj.fc2.w'), p.get('obj.fc2.b'));
  if (c.objectPosition) o = tf.add(o, linear(inp.geom, p.get('obj.pos.w')));
  let tokenBias: tf.Tensor | null = null;
  if (c.categories.length && inp.category) tokenBias = linear(inp.category, p.get('obj.cat'));
  if (c.actions.length && inp.action) {
    const a = linear(inp.action, p.get('obj.act'));
    tokenBias = tokenBias ? tf.add(tokenBias, a) : a;
  }
  if (tokenBias) o = tf.add(o, tf.reshape(tokenBias, [B, 1, c.embedDim]));
  if (c.extraTokens > 0) o = tf.concat([o, inp.extra!], 1);
  return { icond, conf, o };
}

/**
 * Reference x0 prediction for x_t [B,17,2] with the condition (batch B or 1) and time embedding [B or 1, 1, E];
 * `training` uses batch statistics in the BatchNorm.
 */
export function referenceDenoise(model: Diffuser, xt: tf.Tensor, inp: ConditionInputs, temb: tf.Tensor, training = false): { x0: tf.Tensor; conf: tf.Tensor; bn?: { mean: tf.Tensor; variance: tf.Tensor } } {
  const p = model.params;
  const c = model.config;
  const { icond, conf, o } = referenceCondition(model, inp);
  const E = c.embedDim, H = c.heads, P = model.P, d = E / H;
  const B = xt.shape[0];
  const Bo = o.shape[0];
  const N = NUM_JOINTS;
  let x = tf.add(tf.add(linear(xt, p.get('npe.w'), p.get('npe.b')), p.get('npe.pos')), icond);
  let bn: { mean: tf.Tensor; variance: tf.Tensor } | undefined;
  if (c.attention === 'none') {
    x = tf.add(x, linear(tf.mean(o, 1, true), p.get('oa.pool.w'), p.get('oa.pool.b')));
  } else {
    const on = layerNorm(o, p.get('oa.ln1.g'), p.get('oa.ln1.b'));
    const k = linear(on, p.get('oa.k.w'), p.get('oa.k.b'));
    const v = linear(on, p.get('oa.v.w'), p.get('oa.v.b'));
    const kT = tf.mul(tf.transpose(tf.reshape(k, [Bo, P, H, d]), [0, 2, 3, 1]), 1 / Math.sqrt(d));
    const values = tf.transpose(tf.reshape(v, [Bo, P, H, d]), [0, 2, 1, 3]);
    const q = linear(layerNorm(x, p.get('oa.ln1.g'), p.get('oa.ln1.b')), p.get('oa.q.w'), p.get('oa.q.b'));
    let logits = matMul(tf.transpose(tf.reshape(q, [B, N, H, d]), [0, 2, 1, 3]), Bo === B ? kT : tf.tile(kT, [B, 1, 1, 1]));
    if (c.attention === 'associative') {
      let a = matMul(tf.reshape(tf.transpose(logits, [0, 2, 1, 3]), [B * N, H * P]), p.get('oa.W'));
      if (training) {
        const m = tf.moments(a, 0);
        bn = { mean: m.mean, variance: m.variance };
        a = tf.mul(tf.sub(a, m.mean), tf.rsqrt(tf.add(m.variance, BN_EPS)));
      } else {
        a = tf.mul(tf.sub(a, p.get('oa.bn.mean')), tf.rsqrt(tf.add(p.get('oa.bn.var'), BN_EPS)));
      }
      a = tf.add(tf.mul(a, p.get('oa.bn.g')), p.get('oa.bn.b'));
      const aT = tf.reshape(tf.transpose(tf.reshape(a, [B, N, H * P]), [0, 2, 1]), [B * H * P, N]);
      logits = tf.transpose(tf.reshape(matMul(aT, model.adj), [B, H, P, N]), [0, 1, 3, 2]);
    }
    const att = tf.softmax(logits);
    const j = tf.reshape(tf.transpose(matMul(att, Bo === B ? values : tf.tile(values, [B, 1, 1, 1])), [0, 2, 1, 3]), [B, N, E]);
    x = tf.add(x, linear(j, p.get('oa.proj.w'), p.get('oa.proj.b')));
  }
  x = tf.add(x, mlp(p, 'oa', layerNorm(x, p.get('oa.ln2.g'), p.get('oa.ln2.b'))));
  x = layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6);
  x = tf.add(x, temb);
  for (let i = 0; i < c.depth; i++) {
    const pre = `tb${i}`;
    const h = layerNorm(x, p.get(`${pre}.ln1.g`), p.get(`${pre}.ln1.b`));
    const [qq, kk, vv] = tf.split(linear(h, p.get(`${pre}.qkv.w`), p.get(`${pre}.qkv.b`)), 3, -1);
    const qh = tf.transpose(tf.reshape(qq, [B, N, H, d]), [0, 2, 1, 3]);
    const kh = tf.transpose(tf.reshape(kk, [B, N, H, d]), [0, 2, 3, 1]);
    const vh = tf.transpose(tf.reshape(vv, [B, N, H, d]), [0, 2, 1, 3]);
    const att = tf.softmax(tf.mul(matMul(qh, kh), 1 / Math.sqrt(d)));
    const oo = tf.reshape(tf.transpose(matMul(att, vh), [0, 2, 1, 3]), [B, N, E]);
    x = tf.add(x, linear(oo, p.get(`${pre}.proj.w`), p.get(`${pre}.proj.b`)));
    x = tf.add(x, mlp(p, pre, layerNorm(x, p.get(`${pre}.ln2.g`), p.get(`${pre}.ln2.b`))));
    x = layerNorm(x, p.get('lns.g'), p.get('lns.b'), 1e-6);
  }
  const x0 = linear(layerNorm(x, p.get('head.ln.g'), p.get('head.ln.b')), p.get('head.fc.w'), p.get('head.fc.b'));
  return { x0, conf, bn };
}
