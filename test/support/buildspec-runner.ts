import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The phases CodeBuild runs, in order. */
export const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
export type PhaseName = (typeof PHASES)[number];

export interface RunBuildSpecOptions {
  /** The buildspec object (e.g. parsed from the synthesized template's `Source.BuildSpec`). */
  readonly buildSpec: any;
  /** Environment of the build: the project's variables and CodeBuild's own (CODEBUILD_*). */
  readonly env: Record<string, string>;
  /** The source directory (`CODEBUILD_SRC_DIR`); commands start there. */
  readonly cwd: string;
  /** Directories put first on PATH (e.g. recording fakes of `aws` and `docker`). */
  readonly pathPrepend?: string[];
  /** Kill the run after this long. @default 120_000 */
  readonly timeoutMs?: number;
}

export interface PhaseResult {
  readonly phase: PhaseName;
  /** Exit status of the first command that failed, or 0. */
  readonly exitCode: number;
}

export interface RunBuildSpecResult {
  /** The phases that ran, in order (a phase that was skipped is absent). */
  readonly phases: PhaseResult[];
  /** True when every phase that ran exited 0. */
  readonly succeeded: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /**
   * Values of the buildspec's `env.exported-variables` when the build ended (what CodeBuild exports
   * to CodePipeline); a variable that is not set is absent.
   */
  readonly exportedVariables: Record<string, string>;
  /** Wall time of each phase that ran, by phase name. */
  readonly phaseDurationsMs: Record<string, number>;
}

/**
 * Runs a buildspec's phase commands with bash the way CodeBuild (buildspec 0.2) does:
 * - all commands run in one shell, so variables and `export`s persist across commands and phases;
 * - each command's text runs verbatim (written to a file and sourced); a command that exits non-zero
 *   fails its phase and the phase's later commands are skipped;
 * - a failed install or pre_build phase ends the build; a failed build phase still runs post_build,
 *   with `CODEBUILD_BUILD_SUCCEEDING=0`.
 * The `runtime-versions` of the install phase are CodeBuild's to honour and are not run.
 */
export function runBuildSpec(options: RunBuildSpecOptions): RunBuildSpecResult {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'buildspec-run-'));
  try {
    const resultsFile = path.join(work, 'phases.txt');
    const lines: string[] = ['export CODEBUILD_BUILD_SUCCEEDING=1', '__stop=0'];
    const specEnv: Record<string, string> = options.buildSpec.env?.variables ?? {};
    for (const [name, value] of Object.entries(specEnv)) {
      lines.push(`export ${name}=${singleQuote(String(value))}`);
    }
    let n = 0;
    for (const phase of PHASES) {
      const commands: string[] = toList(options.buildSpec.phases?.[phase]?.commands);
      if (commands.length === 0) {
        continue;
      }
      // install and pre_build failures end the build; post_build runs after a failed build.
      const guard =
        phase === 'post_build' ? '[ "$__stop" = 0 ]' : '[ "$__stop" = 0 ] && [ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ]';
      lines.push(`if ${guard}; then`, '  __rc=0', '  __started=$(date +%s%N)');
      for (const command of commands) {
        const file = path.join(work, `command-${++n}.sh`);
        fs.writeFileSync(file, command + '\n');
        lines.push(
          `  if [ "$__rc" = 0 ]; then cd "$CODEBUILD_SRC_DIR" 2>/dev/null || true; . ${singleQuote(file)}; __rc=$?; fi`,
        );
      }
      lines.push(`  echo "${phase} $__rc $(( ($(date +%s%N) - __started) / 1000000 ))" >> ${singleQuote(resultsFile)}`);
      lines.push('  if [ "$__rc" != 0 ]; then CODEBUILD_BUILD_SUCCEEDING=0;');
      if (phase === 'install' || phase === 'pre_build') {
        lines.push('    __stop=1;');
      }
      lines.push('  fi', 'fi');
    }
    // CodeBuild reads the exported variables from the build's environment when it ends.
    const exportsFile = path.join(work, 'exported');
    for (const name of toList(options.buildSpec.env?.['exported-variables'])) {
      lines.push(
        `if [ -n "\${${name}+x}" ]; then printf '%s=%s\\0' ${singleQuote(name)} "\$${name}" >> ${singleQuote(exportsFile)}; fi`,
      );
    }
    lines.push('[ "$CODEBUILD_BUILD_SUCCEEDING" = 1 ]');
    const script = path.join(work, 'run.sh');
    fs.writeFileSync(script, lines.join('\n') + '\n');

    const env: Record<string, string> = {
      ...options.env,
      CODEBUILD_SRC_DIR: options.cwd,
      PATH: [...(options.pathPrepend ?? []), process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      HOME: options.env.HOME ?? process.env.HOME ?? work,
    };
    // coreutils `timeout` runs the script in its own process group and signals the whole group,
    // so commands the script started (docker, go, servers) end with it.
    const seconds = Math.ceil((options.timeoutMs ?? 120_000) / 1000);
    const proc = spawnSync('timeout', ['--kill-after=5', `${seconds}`, 'bash', script], {
      cwd: options.cwd,
      env,
      encoding: 'utf-8',
      timeout: (seconds + 10) * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (proc.status === 124 || proc.status === 137) {
      throw new Error(`buildspec run timed out after ${seconds} s:\n${proc.stdout}\n${proc.stderr}`);
    }
    if (proc.error) {
      throw proc.error;
    }
    const phaseDurationsMs: Record<string, number> = {};
    const phases: PhaseResult[] = fs.existsSync(resultsFile)
      ? fs
          .readFileSync(resultsFile, 'utf-8')
          .trim()
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => {
            const [phase, code, ms] = l.split(' ');
            phaseDurationsMs[phase] = Number(ms);
            return { phase: phase as PhaseName, exitCode: Number(code) };
          })
      : [];
    const exportedVariables: Record<string, string> = {};
    if (fs.existsSync(exportsFile)) {
      for (const entry of fs
        .readFileSync(exportsFile, 'utf-8')
        .split('\0')
        .filter((e) => e.length > 0)) {
        const eq = entry.indexOf('=');
        exportedVariables[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
    }
    return {
      phases,
      succeeded: proc.status === 0 && phases.every((p) => p.exitCode === 0),
      stdout: proc.stdout,
      stderr: proc.stderr,
      exportedVariables,
      phaseDurationsMs,
    };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The commands of every phase, in run order (for shellcheck and inspection). */
export function phaseCommands(buildSpec: any): Array<{ phase: PhaseName; command: string }> {
  const out: Array<{ phase: PhaseName; command: string }> = [];
  for (const phase of PHASES) {
    for (const command of toList(buildSpec.phases?.[phase]?.commands)) {
      out.push({ phase, command });
    }
  }
  return out;
}

function toList(value: unknown): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function singleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
