import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';

/** A running moto server (AWS API emulator) on 127.0.0.1. */
export interface MotoServer {
  /** Base URL of the server, e.g. `http://127.0.0.1:51234`: pass it as the endpoint of an AWS SDK client. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after a few seconds). Safe to call twice. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * How long one request to moto may take before the SDK gives up with an error that names the
 * command (without it, a request that hangs only ends with jest's test timeout, which says nothing
 * of what the test was waiting for). Generous: a loaded 2-core machine answers in well under a second.
 */
export const MOTO_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Client settings for moto at `endpoint`: dummy credentials, explicit connection and request
 * timeouts, and no more than one retry.
 */
export function motoClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: MOTO_REQUEST_TIMEOUT_MS },
  };
}
const STOP_TIMEOUT_MS = 5_000;

/**
 * Starts `python3 -m moto.server` on 127.0.0.1 and a free port, and resolves once it answers.
 * Rejects (so that the calling test fails rather than skips) when python3 or moto is missing or
 * the server does not come up within 30 seconds. Call `stop()` in `afterAll`.
 *
 * Clients need dummy credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) and a region.
 */
export async function startMoto(): Promise<MotoServer> {
  // Port 0: the kernel picks a free port when moto binds, and moto prints it. (Asking for a free
  // port first and passing it leaves a window in which another server of a parallel test can take it.)
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= kill(child));

  try {
    const port = await waitUntilUp(child, () => output);
    return { endpoint: `http://127.0.0.1:${port}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Waits until moto has printed the port it listens on and answers there; returns the port. */
async function waitUntilUp(child: ChildProcess, output: () => string): Promise<number> {
  let spawnError: Error | undefined;
  let exitCode: number | null | undefined;
  child.once('error', (e) => (spawnError = e));
  child.once('exit', (code) => (exitCode = code));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (spawnError) {
      throw new Error(`cannot start python3 -m moto.server (is python3 on PATH?): ${spawnError.message}`);
    }
    if (exitCode !== undefined) {
      throw new Error(
        `python3 -m moto.server exited with code ${exitCode} (is moto installed with its server extra? ` +
          `pip install "moto[server]"):\n${output()}`,
      );
    }
    const port = Number(/Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output())?.[1] ?? 0);
    if (port > 0 && (await answers(`http://127.0.0.1:${port}/moto-api/`))) {
      return port;
    }
    await sleep(200);
  }
  throw new Error(
    `moto server did not print its port and answer there within ${START_TIMEOUT_MS / 1000}s (waiting for ` +
      `"Running on http://127.0.0.1:<port>" and an answer on /moto-api/):\n${output()}`,
  );
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode < 500);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer: NodeJS.Timeout = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
    }
  }, STOP_TIMEOUT_MS);
  await Promise.race([exited, sleep(STOP_TIMEOUT_MS * 2, true)]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

function sleep(ms: number, unref = false): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (unref) {
      timer.unref();
    }
  });
}
