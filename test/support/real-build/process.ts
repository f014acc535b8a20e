import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';

/** PIDs of the servers this process started; killed on exit whatever happens (jest crash, Ctrl-C). */
const LIVE_PIDS = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) {
    return;
  }
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of LIVE_PIDS) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A server process started by the harness, stopped by its PID. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** File holding the server's stdout and stderr. */
  readonly logFile: string;
  /** Kills the process (SIGTERM, then SIGKILL after `graceMs`); idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** True while the process runs. */
  running(): boolean;
}

export interface StartServerOptions {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
  /** The complete environment of the server (nothing is inherited). */
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly logFile: string;
  /** Resolves true once the server is ready. */
  readonly ready: () => Promise<boolean>;
  /** @default 20_000 */
  readonly readyTimeoutMs?: number;
}

/**
 * Starts a server with its output in a log file (never a pipe: builds block the event loop, and a
 * full pipe would stall the server), waits until `ready()` (bounded), and kills it on failure.
 */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  installExitHook();
  const log = fs.openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', log, log],
    });
  } finally {
    fs.closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${options.name}: could not start ${options.command}`);
  }
  LIVE_PIDS.add(pid);
  let exited = false;
  child.on('exit', () => {
    exited = true;
    LIVE_PIDS.delete(pid);
  });
  child.on('error', () => {
    exited = true;
  });

  const server: ServerProcess = {
    name: options.name,
    pid,
    logFile: options.logFile,
    running: () => !exited,
    stop: async (graceMs = 3_000) => {
      if (exited) {
        return;
      }
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([gone, timer])) === 'timeout') {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
      }
      LIVE_PIDS.delete(pid);
    },
  };

  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`${options.name} exited before it was ready; log:\n${tail(options.logFile)}`);
    }
    if (await options.ready().catch(() => false)) {
      return server;
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`${options.name} not ready after ${timeoutMs} ms; log:\n${tail(options.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** GET with a timeout; resolves the status code (any status means the server answers). */
export async function httpStatus(
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 2_000,
): Promise<number> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command synchronously with a timeout; throws when it cannot run or times out. */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): RunResult {
  const proc = spawnSync(command, args, {
    env: options.env ?? (process.env as Record<string, string>),
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf-8',
    timeout: options.timeoutMs ?? 30_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (proc.error) {
    throw new Error(`${command} ${args.join(' ')}: ${proc.error.message}`);
  }
  return { status: proc.status ?? -1, stdout: proc.stdout, stderr: proc.stderr };
}

/** Like `run`, but throws with the output when the command exits non-zero. */
export function runOk(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): string {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf-8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
