import { describe, expect, it } from 'vitest';
import { runCli as run } from './run-cli.ts';

const SPEC_COMMANDS = ['generate', 'fit', 'h2h', 'detect', 'edit', 'synth', 'train', 'eval', 'metrics', 'serve', 'demo', 'bench'];

describe('pinplace CLI frame', () => {
  it('--help lists every SPEC command', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const c of SPEC_COMMANDS) expect(r.out).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });
  it('every command has --help with --json and --verbose', async () => {
    for (const c of SPEC_COMMANDS) {
      const r = await run([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out, c).toContain('--json');
      expect(r.out, c).toContain('--verbose');
    }
  });
  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown command', ['teleport'], /^pinplace: unknown command 'teleport'/],
    ['an unknown flag', ['bench', '--frobnicate'], /^pinplace bench: unknown option '--frobnicate'/],
    ['a bad flag value', ['bench', '--reps', 'many'], /^pinplace bench: --reps must be an integer in \[1, 1000\], got "many"/],
    ['an --only that matches nothing', ['bench', '--only', 'no_such_key'], /^pinplace bench: --only matched no benchmark/],
    ['an unknown joint space', ['train', '--data', 'd', '--out', 'o', '--joint-space', 'pixels'], /^pinplace train: --joint-space must be one of crop, person, got "pixels"/],
    ['person space without the person box', ['train', '--data', 'd', '--out', 'o', '--joint-space', 'person', '--no-person-position'], /^pinplace train: --joint-space person needs the person box/],
    ['too many hypotheses', ['train', '--data', 'd', '--out', 'o', '--hypotheses', '9'], /^pinplace train: --hypotheses must be/],
    ['an unknown hand', ['generate', '--image', 'i.png', '--person', '1,1,2,2', '--object', '1,1,2,2', '--hand', 'middle'], /^pinplace generate: --hand must be one of left, right, got "middle"/],
    ['an unknown hypothesis assignment', ['train', '--data', 'd', '--out', 'o', '--hypotheses', '2', '--hyp-assign', 'foot'], /^pinplace train: --hyp-assign must be one of nearest, hand, got "foot"/],
    ['the hand assignment with three hypotheses', ['train', '--data', 'd', '--out', 'o', '--hypotheses', '3', '--hyp-assign', 'hand'], /^pinplace train: --hyp-assign hand needs --hypotheses 2, got 3/],
    // the samplers take 31-bit seeds: every command that samples or trains checks the same range
    ...([
      ['generate', '--image', 'i.png', '--person', '1,1,2,2', '--object', '1,1,2,2'],
      ['h2h', '--image', 'i.png', '--person', '1,1,2,2', '--partner', '1,1,2,2'],
      ['train', '--data', 'd', '--out', 'o'],
      ['eval', '--data', 'd'],
    ].map((argv): [string, string[], RegExp] => [`a seed out of range (${argv[0]})`, [...argv, '--seed', '2147483648'], new RegExp(`^pinplace ${argv[0]}: --seed must be an integer in \\[0, 2147483647\\], got "2147483648"`)])),
  ];
  for (const [name, argv, re] of bad) {
    it(`${name}: one line on stderr, non-zero exit, no stack`, async () => {
      const r = await run(argv);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    });
  }
  it('--json prints an error object as the last stdout line on failure', async () => {
    const r = await run(['bench', '--only', 'no_such_key', '--json']);
    expect(r.code).toBe(2);
    const last = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(last.code).toBe('usage');
  });
});
