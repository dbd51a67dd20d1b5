#!/usr/bin/env node
// `npm test`: runs vitest, then prints the plain summary line `N passed, N failed` that CI reads.
// Extra arguments go to vitest (e.g. `npm test -- test/skeleton`).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pinplace-test-'));
const report = join(dir, 'report.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)];
const child = spawn('npx', args, { stdio: 'inherit' });
child.on('exit', (code) => {
  let passed = 0;
  let failed = 0;
  try {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    passed = r.numPassedTests ?? 0;
    // Failed tests, plus files that failed without a failing test (an import error, a crash in a hook).
    const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
    failed = (r.numFailedTests ?? 0) + brokenFiles;
    if (code !== 0 && failed === 0) failed = 1;
  } catch {
    failed = Math.max(1, failed);
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
