/**
 * `npx projen test:stress`: runs the whole jest suite again and again while other processes keep
 * every core busy, and reports every test that failed at least once. A test that fails by chance
 * (an ordering inside a pipe, a port taken by someone else, a timeout too tight for a loaded
 * machine, state left behind by an earlier test) shows up here long before it turns a CI run red.
 *
 * Options (after `--`):
 *   --runs N          full-suite runs (default 10)
 *   --load N          busy-loop processes beside the suite (default: one per core)
 *   --max-minutes M   stop starting new runs after M minutes (default 60); the report says so
 *   anything else     passed to jest (e.g. a path pattern to stress one file)
 *
 * Exit status: 0 when every run passed, 1 otherwise (or when fewer runs than asked fit in time).
 * Failures are counted per test, never retried: a retry would hide exactly what this looks for.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Options {
  readonly runs: number;
  readonly load: number;
  readonly maxMinutes: number;
  readonly jestArgs: string[];
}

interface RunOutcome {
  readonly run: number;
  readonly seconds: number;
  /** `file › test name` of every failed test (or `file › (suite failed to run)`). */
  readonly failed: Array<{ id: string; message: string }>;
  readonly tests: number;
  /** Server processes (moto, registry, dockerd, containerd) that were not there before the run. */
  readonly leftovers: string[];
}

const SERVER_PROCESS = /moto\.server|docker-registry|dockerd|containerd|podman/;

function parseArgs(argv: string[]): Options {
  let runs = 10;
  let load = os.cpus().length;
  let maxMinutes = 60;
  const jestArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): number => {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value) || value < 0) {
        throw new Error(`stress: ${arg} needs a number, got "${argv[i]}"`);
      }
      return value;
    };
    if (arg === '--runs') runs = next();
    else if (arg === '--load') load = next();
    else if (arg === '--max-minutes') maxMinutes = next();
    else jestArgs.push(arg);
  }
  return { runs, load, maxMinutes, jestArgs };
}

/** CPU hogs: plain busy loops, one process each, stopped by PID in `stopLoad`. */
function startLoad(count: number): ChildProcess[] {
  const hogs: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  }
  return hogs;
}

function stopLoad(hogs: ChildProcess[]): void {
  for (const hog of hogs) {
    if (hog.pid !== undefined && hog.exitCode === null && hog.signalCode === null) {
      try {
        process.kill(hog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/**
 * Command lines of the server processes of this checkout running now: those whose working
 * directory is in it (tests start their servers from the repository root), so that servers of
 * other checkouts on the same machine do not count.
 */
function serverProcesses(): Set<string> {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf-8' });
  const root = process.cwd();
  return new Set(
    (ps.stdout ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => SERVER_PROCESS.test(l) && !l.includes('stress.ts'))
      .filter((l) => {
        try {
          return fs.readlinkSync(`/proc/${l.split(' ')[0]}/cwd`).startsWith(root);
        } catch {
          return false; // gone already
        }
      }),
  );
}

function runJest(run: number, outDir: string, jestArgs: string[]): Promise<RunOutcome> {
  const outputFile = path.join(outDir, `run-${run}.json`);
  const before = serverProcesses();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const jest = spawn(
      path.join('node_modules', '.bin', 'jest'),
      ['--ci', '--coverage=false', '--json', `--outputFile=${outputFile}`, ...jestArgs],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: 'true' } },
    );
    let stderrTail = '';
    jest.stderr?.on('data', (chunk) => (stderrTail = (stderrTail + String(chunk)).slice(-8000)));
    jest.on('error', reject);
    jest.on('exit', () => {
      const seconds = (Date.now() - started) / 1000;
      if (!fs.existsSync(outputFile)) {
        resolve({
          run,
          seconds,
          tests: 0,
          failed: [{ id: '(jest did not write a report)', message: stderrTail }],
          leftovers: [],
        });
        return;
      }
      const report = JSON.parse(fs.readFileSync(outputFile, 'utf-8'));
      const failed: Array<{ id: string; message: string }> = [];
      for (const suite of report.testResults ?? []) {
        const file = path.relative(process.cwd(), suite.name);
        const assertions: any[] = suite.assertionResults ?? [];
        for (const a of assertions) {
          if (a.status === 'failed') {
            failed.push({ id: `${file} › ${a.fullName}`, message: (a.failureMessages ?? []).join('\n') });
          }
        }
        if (suite.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
          failed.push({ id: `${file} › (suite failed to run)`, message: suite.message ?? '' });
        }
      }
      const after = serverProcesses();
      const leftovers = [...after].filter((p) => !before.has(p));
      resolve({ run, seconds, tests: report.numTotalTests ?? 0, failed, leftovers });
    });
  });
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const outDir = path.join('.tmp', 'stress');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const hogs = startLoad(options.load);
  const stop = (): void => stopLoad(hogs);
  process.on('exit', stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stop();
      process.exit(130);
    });
  }

  const started = Date.now();
  const deadline = started + options.maxMinutes * 60_000;
  const outcomes: RunOutcome[] = [];
  console.log(
    `stress: ${options.runs} runs of the jest suite beside ${options.load} busy-loop process(es) on ${os.cpus().length} core(s)` +
      (options.jestArgs.length > 0 ? ` (jest ${options.jestArgs.join(' ')})` : ''),
  );
  try {
    for (let run = 1; run <= options.runs; run++) {
      if (Date.now() > deadline) {
        console.log(`stress: ${options.maxMinutes} minutes are up: no run ${run}`);
        break;
      }
      const outcome = await runJest(run, outDir, options.jestArgs);
      outcomes.push(outcome);
      console.log(
        `stress: run ${run}: ${outcome.tests} tests, ${outcome.failed.length} failed, ${outcome.seconds.toFixed(0)} s` +
          (outcome.leftovers.length > 0 ? `, ${outcome.leftovers.length} server process(es) left behind` : ''),
      );
    }
  } finally {
    stop();
  }

  const minutes = (Date.now() - started) / 60_000;
  const byTest = new Map<string, { runs: number[]; message: string }>();
  for (const o of outcomes) {
    for (const f of o.failed) {
      const entry = byTest.get(f.id) ?? { runs: [], message: f.message };
      entry.runs.push(o.run);
      byTest.set(f.id, entry);
    }
  }
  const failedRuns = outcomes.filter((o) => o.failed.length > 0).length;
  const leaks = outcomes.flatMap((o) => o.leftovers.map((l) => `run ${o.run}: ${l}`));
  console.log('');
  console.log(
    `stress: ${outcomes.length} of ${options.runs} runs, ${failedRuns} with failures, ` +
      `${byTest.size} distinct failing test(s), ${leaks.length} leftover server process(es), ${minutes.toFixed(1)} min`,
  );
  for (const [id, { runs, message }] of byTest) {
    console.log(`\nFAILED in run(s) ${runs.join(', ')}: ${id}`);
    console.log(
      message
        .split('\n')
        .slice(0, 12)
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  }
  for (const leak of leaks) {
    console.log(`LEFT BEHIND ${leak}`);
  }
  const ok = outcomes.length === options.runs && byTest.size === 0 && leaks.length === 0;
  process.exitCode = ok ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
