import { execFileSync } from 'child_process';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Runs cfn-lint (from the machine's Python) on template files. Returns its output; cfn-lint exits
 * non-zero on any error or warning, and prints nothing when the templates are clean.
 */
export function cfnLint(files: string[]): { exitCode: number; output: string } {
  try {
    const output = execFileSync('cfn-lint', ['--format', 'parseable', '--', ...files], {
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    return { exitCode: 0, output };
  } catch (e: any) {
    if (e.code === 'ENOENT') {
      throw new Error("cfn-lint is not on PATH: install it in the machine's Python (pip install cfn-lint)");
    }
    return { exitCode: e.status ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Adds the cdk-nag AwsSolutions pack to an app; call before `app.synth()`. */
export function addNagChecks(app: App): void {
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
}

/**
 * Unsuppressed cdk-nag AwsSolutions errors of a stack (run addNagChecks on its app first). Pass the
 * assembly when the app was already synthesized: synthesizing again would run every aspect twice.
 */
export function nagErrors(stack: Stack, assembly?: CloudAssembly): string[] {
  if (assembly) {
    return assembly
      .getStackArtifact(stack.artifactId)
      .messages.filter((m) => m.level === 'error' && /AwsSolutions-/.test(String(m.entry.data)))
      .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
  }
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))
    .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

/** Template files of every stack in an assembly (nested assemblies of stages included). */
export function templateFiles(assembly: CloudAssembly): string[] {
  const files = assembly.stacks.map((s) => s.templateFullPath);
  for (const nested of assembly.nestedAssemblies) {
    files.push(...templateFiles(nested.nestedAssembly));
  }
  return files;
}
