import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
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

/**
 * Templates of Service Catalog product stacks (`*.product.template.json`): ProductStack writes them
 * into the assembly directory as file assets of the parent stack, not as stacks of the assembly.
 */
export function productTemplateFiles(assembly: CloudAssembly): string[] {
  return fs
    .readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.product.template.json'))
    .map((f) => path.join(assembly.directory, f));
}

/**
 * Unsuppressed cdk-nag AwsSolutions errors inside the product stacks of an app (run addNagChecks
 * first, then synthesize). A product stack is no artifact of the assembly, so its findings never
 * reach the assembly's messages: they are read from the constructs' metadata instead.
 */
export function productStackNagErrors(app: App): string[] {
  const productStacks = app.node
    .findAll()
    .filter((c): c is servicecatalog.ProductStack => c instanceof servicecatalog.ProductStack);
  return productStacks.flatMap((ps) =>
    ps.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === 'aws:cdk:error' && /AwsSolutions-/.test(String(m.data)))
          .map((m) => `${c.node.path}: ${String(m.data).split('\n')[0]}`),
      ),
  );
}
