/**
 * The TypeScript consumer check: what a user who installed the packed library next to aws-cdk-lib and
 * cdk-nag gets. Every README TypeScript block (generated into src/generated/ by generate.js) and a few
 * cases of this file are synthesized with cdk-nag's AwsSolutions pack, the way that cdk-nag major is
 * used (2: an Aspect; 3: an aws-cdk-lib policy-validation plugin), and their templates go through
 * cfn-lint. What counts is what the library creates: findings on the snippet's own aws-cdk-lib
 * constructs and on the fixtures (the user's code) are listed but not counted.
 * Exits non-zero on any finding of the library's, any synth error, or a check that did not fire.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as nag from 'cdk-nag';
import {
  AccessLevel,
  BuilderImage,
  CrossAccountPullPolicy,
  DockerBuildToEcr,
  GoSampleBuild,
  ImagePlatform,
} from 'cdk-ecr-codebuild';
import { FIXTURES_ID } from './fixtures';

const WORK = path.resolve(__dirname, '..');
const problems: string[] = [];

// 1. What is installed: the packages resolve inside this app, at the versions the lockfile pins.
const installed = (name: string): { version: string; dir: string } => {
  const file = require.resolve(`${name}/package.json`, { paths: [WORK] });
  return { version: JSON.parse(fs.readFileSync(file, 'utf-8')).version, dir: path.dirname(file) };
};
const versions: Record<string, string> = {};
for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag', 'cdk-ecr-codebuild']) {
  const { version, dir } = installed(name);
  versions[name] = version;
  if (!dir.startsWith(path.join(WORK, 'node_modules'))) {
    problems.push(`${name} resolves to ${dir}, outside this app's node_modules`);
  }
}
const pinned = JSON.parse(fs.readFileSync(path.join(WORK, 'package.json'), 'utf-8')).dependencies;
for (const name of ['aws-cdk-lib', 'constructs', 'cdk-nag']) {
  if (versions[name] !== pinned[name]) {
    problems.push(`${name} ${versions[name]} is installed, package.json pins ${pinned[name]}`);
  }
}
const NAG_MAJOR = Number(versions['cdk-nag'].split('.')[0]);
console.log(
  `consumer: node ${process.version}, aws-cdk-lib ${versions['aws-cdk-lib']}, constructs ${versions.constructs}, ` +
    `cdk-nag ${versions['cdk-nag']} (major ${NAG_MAJOR}), cdk-ecr-codebuild ${versions['cdk-ecr-codebuild']} (packed)`,
);

// 2. One case = one app: synthesized with the AwsSolutions pack, findings read back.
interface Finding {
  readonly rule: string;
  readonly path: string;
}
/**
 * Findings on a library construct that the user's own code causes, matched exactly (rule and path),
 * each with the reason it is the user's. The README promises that what a user adds to the library's
 * roles is reported to the user, so these must be reported; they are listed and not counted.
 */
interface UserCausedFindings {
  /** The snippet's code that causes them. */
  readonly cause: RegExp;
  readonly reason: string;
  readonly findings: Finding[];
}
const USER_CAUSED: UserCausedFindings[] = [
  {
    cause: /new actions\.CodeBuildAction\(\{[\s\S]*project: image\.project/,
    reason:
      "aws-cdk-lib's CodeBuildAction grants the project's role the pipeline's artifact bucket and key (the user's pipeline, " +
      "in the role's default policy, where the README says a user's additions are reported)",
    findings: [
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
      'AwsSolutions-IAM5[Resource::<FixturespipelineArtifactsBucket8F842DFB.Arn>/*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    ].map((rule) => ({ rule, path: 'GivenImage/Role/DefaultPolicy/Resource' })),
  },
];

interface Case {
  readonly name: string;
  readonly build: (app: cdk.App) => cdk.Stack;
  /** Paths (`Stack/Id`) of constructs that are the user's: their findings do not count. */
  readonly userPaths: (stack: cdk.Stack) => string[];
  /** Findings this case must report (the check can fail), e.g. a user's wildcard. */
  readonly expectFindings?: Finding[];
}


function addNag(app: cdk.App): void {
  if (NAG_MAJOR >= 3) {
    // cdk-nag 3 runs as a policy-validation plugin and honours only acknowledgements.
    (cdk as any).Validations.of(app).addPlugins(new (nag as any).AwsSolutionsChecks(app));
  } else {
    cdk.Aspects.of(app).add(new (nag as any).AwsSolutionsChecks({ verbose: false }));
  }
}

function synth(c: Case): { findings: Finding[]; outdir: string; stack: cdk.Stack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-synth-'));
  // Path metadata (as the CDK CLI enables it) maps each cfn-lint finding to its construct.
  const app = new cdk.App({
    outdir,
    context: { '@aws-cdk/core:validationReportJson': true, 'aws:cdk:enable-path-metadata': true },
  });
  addNag(app);
  const stack = c.build(app);
  // cdk-nag 3's report is printed by aws-cdk-lib while it synthesizes: kept, and shown only when the
  // synth fails for another reason than the findings this check reads and prints itself.
  let failure: unknown;
  const printed: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const log = console.error;
  process.stderr.write = ((chunk: any) => printed.push(String(chunk)) > 0) as typeof process.stderr.write;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    app.synth();
  } catch (error) {
    failure = error;
  } finally {
    process.stderr.write = write;
    console.error = log;
  }
  const findings: Finding[] = [];
  if (NAG_MAJOR >= 3) {
    const reportFile = path.join(outdir, 'policy-validation-report.json');
    if (fs.existsSync(reportFile)) {
      const report = JSON.parse(fs.readFileSync(reportFile, 'utf-8'));
      for (const plugin of report.pluginReports ?? []) {
        for (const v of plugin.violations ?? []) {
          for (const r of v.violatingResources ?? []) {
            findings.push({ rule: v.ruleName, path: r.constructPath });
          }
        }
      }
    }
    if (failure !== undefined && findings.length === 0) {
      console.error(printed.join(''));
      throw failure;
    }
  } else {
    if (failure !== undefined) {
      console.error(printed.join(''));
      throw failure;
    }
    // cdk-nag 2 reports as annotations (errors and warnings) on the resources, product stacks included.
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if ((entry.type === 'aws:cdk:error' || entry.type === 'aws:cdk:warning') && /AwsSolutions-/.test(String(entry.data))) {
          const rule = String(entry.data).match(/^(AwsSolutions-\w+(?:\[.*?\])?): /)?.[1] ?? String(entry.data);
          findings.push({ rule, path: construct.node.path });
        }
      }
    }
  }
  return { findings, outdir, stack };
}

/** Every CloudFormation template of an assembly: the stacks' and the Service Catalog product templates. */
function templates(outdir: string): string[] {
  return fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.json') && !['manifest.json', 'tree.json'].includes(f))
    .map((f) => path.join(outdir, f))
    .filter((f) => {
      try {
        const t = JSON.parse(fs.readFileSync(f, 'utf-8'));
        return typeof t === 'object' && t !== null && 'Resources' in t;
      } catch {
        return false;
      }
    });
}

/** cfn-lint's matches on the templates, each with the construct path of its resource. */
function cfnLint(files: string[]): Array<{ rule: string; path: string; message: string }> {
  let output: string;
  try {
    output = execFileSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf-8' });
  } catch (error: any) {
    if (typeof error.stdout !== 'string' || error.stdout === '') {
      throw error;
    }
    output = error.stdout;
  }
  const pathsByFile = new Map<string, Record<string, string>>();
  const pathOf = (file: string, logicalId: string): string => {
    if (!pathsByFile.has(file)) {
      const t = JSON.parse(fs.readFileSync(file, 'utf-8'));
      const paths: Record<string, string> = {};
      for (const [id, r] of Object.entries<any>(t.Resources ?? {})) {
        paths[id] = r.Metadata?.['aws:cdk:path'] ?? id;
      }
      pathsByFile.set(file, paths);
    }
    return pathsByFile.get(file)![logicalId] ?? `${path.basename(file)}:${logicalId}`;
  };
  return (JSON.parse(output) as any[]).map((m) => {
    const where: unknown[] = m.Location?.Path ?? [];
    const logicalId = where[0] === 'Resources' ? String(where[1]) : '';
    return {
      rule: m.Rule?.Id ?? '?',
      path: logicalId ? pathOf(m.Filename, logicalId) : `${path.basename(m.Filename)} (template)`,
      message: m.Message,
    };
  });
}

function isUsers(p: string, userPaths: string[]): boolean {
  return userPaths.some((u) => p === u || p.startsWith(`${u}/`));
}

// 3. The cases: every README snippet, and what the README promises around them.
const generated = path.join(__dirname, 'generated');
const modules: any[] = JSON.parse(fs.readFileSync(path.join(WORK, 'src', 'generated', 'modules.json'), 'utf-8'));
const cases: Case[] = [];
for (const m of modules.filter((x) => x.kind === 'snippet')) {
  const mod = require(path.join(generated, m.file.replace(/\.ts$/, '.js')));
  const code = fs.readFileSync(path.join(WORK, 'src', 'generated', m.file), 'utf-8');
  cases.push({
    name: `README.md line ${m.line}`,
    build: (app) => mod.build(app),
    userPaths: (stack) => [FIXTURES_ID, ...mod.USER_CONSTRUCT_IDS].map((id: string) => `${stack.node.path}/${id}`),
    expectFindings: USER_CAUSED.filter((u) => u.cause.test(code)).flatMap((u) =>
      u.findings.map((f) => ({ rule: f.rule, path: `${mod.STACK_ID}/${f.path}` })),
    ),
  });
}

const env = { account: '111111111111', region: 'us-east-1' };
const sourceOf = (stack: cdk.Stack, key = 'app.zip'): codebuild.ISource => {
  const bucket =
    (stack.node.tryFindChild('Sources') as s3.IBucket | undefined) ??
    s3.Bucket.fromBucketName(stack, 'Sources', 'consumer-sources');
  return codebuild.Source.s3({ bucket, path: key });
};

cases.push({
  name: "a wildcard the user adds to image.role is reported (the acknowledgements cover only the library's)",
  build: (app) => {
    const stack = new cdk.Stack(app, 'UserWildcard', { env });
    const image = new DockerBuildToEcr(stack, 'Image', { source: sourceOf(stack) });
    image.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    return stack;
  },
  userPaths: () => [],
  expectFindings: [
    { rule: 'AwsSolutions-IAM5[Action::s3:*]', path: 'UserWildcard/Image/Role/DefaultPolicy/Resource' },
    { rule: 'AwsSolutions-IAM5[Resource::*]', path: 'UserWildcard/Image/Role/DefaultPolicy/Resource' },
  ],
});
cases.push({
  name: 'DockerBuildToEcr in a VPC, two platforms, built on deploy; a Go build in its image; the repository shared',
  build: (app) => {
    const stack = new cdk.Stack(app, 'Shapes', { env });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const image = new DockerBuildToEcr(stack, 'Image', {
      source: sourceOf(stack),
      vpc,
      platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
      imageTag: 'v1',
      buildOnDeploy: true,
    });
    new GoSampleBuild(stack, 'Go', {
      source: sourceOf(stack, 'go.zip'),
      builderImage: BuilderImage.fromEcrRepository(image.repository, 'v1'),
    });
    new CrossAccountPullPolicy(stack, 'Share', {
      repository: image.repository,
      accountIds: ['222222222222'],
      // Not codeBuildProjects: [goBuild.project]: a project whose image is in this repository cannot be
      // named in its policy (the repository and the project would reference each other: a cycle
      // CloudFormation refuses; GoSampleBuild adds its own statement by project name).
      lambdaAccountIds: ['222222222222'],
      accessLevel: AccessLevel.PULL,
    });
    new CrossAccountPullPolicy(stack, 'ShareImported', {
      repository: ecr.Repository.fromRepositoryName(stack, 'Imported', 'team/shared'),
      accountIds: ['333333333333'],
    });
    return stack;
  },
  // The VPC is the user's.
  userPaths: (stack) => [`${stack.node.path}/Vpc`],
});

// 4. Run them.
let counted = 0;
let excluded = 0;
let programs = 0;
for (const c of cases) {
  const { findings, outdir, stack } = synth(c);
  const userPaths = c.userPaths(stack);
  const library = findings.filter((f) => !isUsers(f.path, userPaths));
  const expected = c.expectFindings ?? [];
  for (const e of expected) {
    const at = library.findIndex((f) => f.path === e.path && f.rule === e.rule);
    if (at < 0) {
      problems.push(`${c.name}: expected ${e.rule} on ${e.path}, not reported (findings: ${JSON.stringify(library)})`);
    } else {
      library.splice(at, 1);
    }
  }
  for (const f of library) {
    problems.push(`${c.name}: cdk-nag ${NAG_MAJOR}: ${f.rule} on ${f.path} (the library's)`);
  }
  const lint = cfnLint(templates(outdir));
  const libraryLint = lint.filter((l) => !isUsers(l.path, userPaths));
  for (const l of libraryLint) {
    problems.push(`${c.name}: cfn-lint ${l.rule} on ${l.path}: ${l.message}`);
  }
  counted += library.length + libraryLint.length;
  excluded += findings.length - library.length - expected.length + (lint.length - libraryLint.length);
  console.log(
    `  ${c.name}: ${templates(outdir).length} template(s); cdk-nag: ${findings.length - expected.length} unacknowledged ` +
      `(${findings.length - expected.length - library.length} on the user's constructs)` +
      (expected.length ? `, ${expected.length} expected (caused by the user's code, reported as they must be)` : '') +
      `; cfn-lint: ${lint.length} (${lint.length - libraryLint.length} on the user's constructs)`,
  );
  fs.rmSync(outdir, { recursive: true, force: true });
}

// 5. The complete programs (`ts nofixture`): run as written, each must synthesize a CodeBuild project.
for (const m of modules.filter((x) => x.kind === 'program')) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-program-'));
  execFileSync(process.execPath, [path.join(generated, m.file.replace(/\.ts$/, '.js'))], {
    env: { ...process.env, CDK_OUTDIR: outdir },
    stdio: 'inherit',
  });
  const files = templates(outdir);
  const types = files.flatMap((f) => Object.values<any>(JSON.parse(fs.readFileSync(f, 'utf-8')).Resources).map((r) => r.Type));
  if (!types.includes('AWS::CodeBuild::Project')) {
    problems.push(`README.md line ${m.line} (a complete app) synthesized no AWS::CodeBuild::Project (${types.join(', ')})`);
  }
  for (const l of cfnLint(files)) {
    problems.push(`README.md line ${m.line}: cfn-lint ${l.rule} on ${l.path}: ${l.message}`);
  }
  programs++;
  console.log(`  README.md line ${m.line} (a complete app, run as written): ${files.length} template(s), ${types.length} resources`);
  fs.rmSync(outdir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`consumer typescript: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `consumer typescript: ${cases.length} apps and ${programs} complete program(s) synthesized on aws-cdk-lib ` +
    `${versions['aws-cdk-lib']} with cdk-nag ${versions['cdk-nag']}: 0 findings of the library's ` +
    `(${excluded} on the user's constructs, not counted; ${counted} counted)`,
);
