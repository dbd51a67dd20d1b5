/**
 * The shipped h2h model: a skeleton diffuser trained on human-to-human scenes with 17 partner tokens
 * (ModelConfig.extraTokens = 17), loaded from a model directory (default models/h2h).
 */
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import type { H2hSampler } from './h2h.ts';

/** models/h2h of the package. */
export const DEFAULT_H2H_MODEL_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'models', 'h2h');

/** Load an h2h model directory as an H2hSampler. */
export async function loadH2hModel(dir = DEFAULT_H2H_MODEL_DIR): Promise<H2hSampler> {
  if (!existsSync(dir)) throw new UsageError(`h2h model directory not found: ${dir}`);
  throw new UsageError(`${dir} holds no h2h model`);
}
