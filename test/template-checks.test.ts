import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addNagChecks, cfnLint, nagErrors, templateFiles } from './support/template-checks';
import { buildSeedApp } from '../examples/seed-pipeline';

/**
 * Every template synthesized from examples/ passes cfn-lint with no error or warning, and cdk-nag's
 * AwsSolutions pack with no unsuppressed error.
 */
describe('template checks: examples/seed-pipeline.ts', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-pipeline-'));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  // GIVEN the example app with the AwsSolutions pack
  const { app, stacks } = buildSeedApp(outdir);
  addNagChecks(app);
  // WHEN it is synthesized
  const assembly = app.synth();

  test('synthesizes at least one stack', () => {
    expect(templateFiles(assembly).length).toBeGreaterThanOrEqual(1);
  });

  test('cfn-lint reports no error and no warning', () => {
    const result = cfnLint(templateFiles(assembly));
    expect(result.output).toBe('');
    expect(result.exitCode).toBe(0);
  });

  test.each(stacks.map((s) => [s.stackName, s]))(
    'cdk-nag AwsSolutions: no unsuppressed error in %s',
    (_name, stack) => {
      expect(nagErrors(stack)).toEqual([]);
    },
  );
});

describe('template checks catch problems', () => {
  test('cfn-lint fails on a template with an error', () => {
    // GIVEN a template whose resource has an unknown property
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
    const file = path.join(dir, 'bad.template.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { NoSuchProperty: true } } } }),
    );
    try {
      // WHEN cfn-lint runs THEN it reports the error
      const result = cfnLint([file]);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toMatch(/NoSuchProperty/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
