/** Every SPEC command, in the order `pinplace --help` lists them. */
import type { CommandDef } from '../command.ts';
import { generateCommand } from './generate.ts';
import { fitCommand } from './fit.ts';
import { h2hCommand } from './h2h.ts';
import { detectCommand } from './detect.ts';
import { editCommand } from './edit.ts';
import { synthCommand } from './synth.ts';
import { trainCommand } from './train.ts';
import { evalCommand } from './eval.ts';
import { metricsCommand } from './metrics.ts';
import { serveCommand } from './serve.ts';
import { demoCommand } from './demo.ts';
import { benchCommand } from './bench.ts';
import { h2hEvalCommand, h2hTrainCommand } from './h2h-train.ts';

export const COMMANDS: readonly CommandDef[] = [
  generateCommand, fitCommand, h2hCommand, detectCommand, editCommand, synthCommand,
  trainCommand, evalCommand, metricsCommand, serveCommand, demoCommand, benchCommand,
  h2hTrainCommand, h2hEvalCommand,
];
