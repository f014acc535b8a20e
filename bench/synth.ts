/**
 * Synth-time and template-size benchmarks of the constructs.
 *
 *   npm run bench -- [--profile] [--repeats 15] [--sizes 1,10,20,50,200]
 *   (= TS_NODE_PROJECT=bench/tsconfig.json node -r ts-node/register bench/synth.ts ...)
 *
 * 1. Synth time of N DockerBuildToEcr pipelines against the same resources written by hand with
 *    aws-cdk-lib L2s (same buildspec builder, same env vars, same grants), in one run: variants
 *    interleaved (alternating which goes first), after a warm-up, median of `--repeats` runs.
 *    Pipelines are spread over stacks of at most PIPELINES_PER_STACK, the same split for both
 *    variants, so that no stack nears CloudFormation's 500-resource limit (checked).
 * 2. Resources and template bytes per construct instance (DockerBuildToEcr, and CrossAccountPullPolicy
 *    and GoSampleBuild when their sources exist).
 * 3. Policy capacity (bench/policy-capacity.ts, when it exists).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DockerBuildToEcr } from '../src/docker-build-to-ecr';
import { dockerBuildSpec, ENV } from '../src/private/docker/buildspec';
import { CacheKind } from '../src/private/docker/cache';

/** 6 resources per default pipeline (both variants): 480 per stack, under CloudFormation's 500. */
const PIPELINES_PER_STACK = 80;
const CFN_RESOURCE_LIMIT = 500;

type Variant = 'DockerBuildToEcr' | 'hand-written L2s' | 'hand-written + nag metadata';
/**
 * The compared variants; `--profile` adds the hand-written L2s carrying DockerBuildToEcr's cdk-nag
 * suppression metadata, to see how much of the overhead that metadata is.
 */
const VARIANTS: Variant[] = process.argv.includes('--profile')
  ? ['DockerBuildToEcr', 'hand-written L2s', 'hand-written + nag metadata']
  : ['DockerBuildToEcr', 'hand-written L2s'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SIZES = arg('sizes', '1,10,20,50,200').split(',').map(Number);
const REPEATS = Number(arg('repeats', '15'));

/** The S3 zip every pipeline builds from (imported: no asset staging in the measure). */
function sourceOf(scope: Construct): codebuild.ISource {
  const bucket = s3.Bucket.fromBucketName(scope, 'Sources', 'bench-sources');
  return codebuild.Source.s3({ bucket, path: 'app/source.zip' });
}

function ours(scope: Construct, id: string, source: codebuild.ISource): void {
  new DockerBuildToEcr(scope, id, { source });
}

/**
 * What DockerBuildToEcr deploys by default, with aws-cdk-lib L2s and the same buildspec builder: the
 * image repository (scanned, retained, untagged images expire after 14 days), the registry cache's
 * own repository (superseded cache images expire after a day, the newest 10 cache tags kept), a log
 * group kept two years, the role, the project logging to that group, pull/push on both repositories.
 */
function handWritten(scope: Construct, id: string, source: codebuild.ISource): void {
  const c = new Construct(scope, id);
  const repository = new ecr.Repository(c, 'Repository', {
    imageScanOnPush: true,
    imageTagMutability: ecr.TagMutability.MUTABLE,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ rulePriority: 1, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(14) }],
  });
  const cache = new ecr.Repository(c, 'CacheRepository', {
    imageTagMutability: ecr.TagMutability.MUTABLE,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { rulePriority: 1, tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
      { rulePriority: 2, tagStatus: ecr.TagStatus.TAGGED, tagPatternList: ['*'], maxImageCount: 10 },
    ],
  });
  const logGroup = new logs.LogGroup(c, 'LogGroup', {
    retention: logs.RetentionDays.TWO_YEARS,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const role = new iam.Role(c, 'Role', {
    assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
  });
  const spec = dockerBuildSpec({
    dockerfile: 'Dockerfile',
    buildContext: '.',
    buildArgs: {},
    additionalTags: ['latest'],
    cache: { kind: CacheKind.REGISTRY, tag: 'buildcache' },
  });
  new codebuild.Project(c, 'Project', {
    source,
    buildSpec: codebuild.BuildSpec.fromObject(spec.buildSpec),
    role,
    environment: {
      buildImage: codebuild.LinuxBuildImage.fromCodeBuildImageId('aws/codebuild/standard:8.0'),
      computeType: codebuild.ComputeType.SMALL,
      privileged: true,
    },
    environmentVariables: {
      [ENV.region]: { value: repository.env.region },
      [ENV.account]: { value: repository.env.account },
      [ENV.repoName]: { value: repository.repositoryName },
      [ENV.imageTag]: { value: '' },
      [ENV.registry]: { value: repository.registryUri },
      [ENV.cacheRepository]: { value: cache.repositoryUri },
    },
    timeout: Duration.hours(1),
    logging: { cloudWatch: { logGroup } },
    grantReportGroupPermissions: false,
  });
  repository.grantPullPush(role);
  cache.grantPullPush(role);
}

/** The cdk_nag metadata DockerBuildToEcr writes on its project and its policy. */
const NAG_METADATA = ((): { project: unknown; policy: unknown } => {
  const stack = new Stack(new App(), 'Nag');
  const image = new DockerBuildToEcr(stack, 'Image', { source: sourceOf(stack) });
  const policy = image.role.node.tryFindChild('BuildPolicy')!.node.defaultChild as CfnResource;
  return {
    project: (image.project.node.defaultChild as CfnResource).getMetadata('cdk_nag'),
    policy: policy.getMetadata('cdk_nag'),
  };
})();

function handWrittenWithNag(scope: Construct, id: string, source: codebuild.ISource): void {
  handWritten(scope, id, source);
  const c = scope.node.findChild(id);
  (c.node.findChild('Project').node.defaultChild as CfnResource).addMetadata('cdk_nag', NAG_METADATA.project);
  const policy = c.node.findChild('Role').node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
  policy.addMetadata('cdk_nag', NAG_METADATA.policy);
}

const BUILDERS: Record<Variant, typeof ours> = {
  DockerBuildToEcr: ours,
  'hand-written L2s': handWritten,
  'hand-written + nag metadata': handWrittenWithNag,
};

interface SynthResult {
  /** Wall-clock time. */
  readonly ms: number;
  /** CPU time of this process (user + system): less sensitive to the other processes of the machine. */
  readonly cpuMs: number;
  readonly stacks: number;
  readonly resources: number;
  readonly templateBytes: number;
  readonly maxResourcesPerStack: number;
}

/** Builds an app of `count` pipelines of `variant`, synthesizes it, and measures. */
function synthPipelines(variant: Variant, count: number): SynthResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-synth-'));
  try {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const app = new App({ outdir });
    let stack: Stack | undefined;
    let source: codebuild.ISource | undefined;
    for (let i = 0; i < count; i++) {
      if (i % PIPELINES_PER_STACK === 0) {
        stack = new Stack(app, `Bench${Math.floor(i / PIPELINES_PER_STACK)}`);
        source = sourceOf(stack);
      }
      BUILDERS[variant](stack!, `Pipeline${i}`, source!);
    }
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    let resources = 0;
    let templateBytes = 0;
    let maxResourcesPerStack = 0;
    for (const s of assembly.stacks) {
      const n = Object.keys(s.template.Resources ?? {}).length;
      resources += n;
      maxResourcesPerStack = Math.max(maxResourcesPerStack, n);
      templateBytes += fs.statSync(s.templateFullPath).size;
    }
    if (maxResourcesPerStack > CFN_RESOURCE_LIMIT) {
      throw new Error(`${variant}: a stack has ${maxResourcesPerStack} resources (limit ${CFN_RESOURCE_LIMIT})`);
    }
    return { ms, cpuMs, stacks: assembly.stacks.length, resources, templateBytes, maxResourcesPerStack };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function synthTimes(): void {
  console.log(`## Synth time (median of ${REPEATS} runs, variants interleaved, after a warm-up)\n`);
  // Warm-up: module loading and JIT, both variants.
  for (const variant of VARIANTS) {
    synthPipelines(variant, 20);
    synthPipelines(variant, 20);
  }
  const times: Record<string, number[]> = {};
  const cpuTimes: Record<string, number[]> = {};
  const shapes: Record<string, SynthResult> = {};
  for (let rep = 0; rep < REPEATS; rep++) {
    for (const n of SIZES) {
      const order = rep % 2 === 0 ? VARIANTS : [...VARIANTS].reverse(); // alternate who goes first
      for (const variant of order) {
        const r = synthPipelines(variant, n);
        (times[`${variant}/${n}`] ??= []).push(r.ms);
        (cpuTimes[`${variant}/${n}`] ??= []).push(r.cpuMs);
        shapes[`${variant}/${n}`] = r;
      }
    }
    process.stderr.write(`run ${rep + 1}/${REPEATS} done\n`);
  }
  const rows = SIZES.map((n) => {
    const a = median(times[`DockerBuildToEcr/${n}`]);
    const b = median(times[`hand-written L2s/${n}`]);
    const ca = median(cpuTimes[`DockerBuildToEcr/${n}`]);
    const cb = median(cpuTimes[`hand-written L2s/${n}`]);
    const s = shapes[`DockerBuildToEcr/${n}`];
    const h = shapes[`hand-written L2s/${n}`];
    return [
      String(n),
      String(s.stacks),
      `${s.resources} / ${h.resources}`,
      String(Math.max(s.maxResourcesPerStack, h.maxResourcesPerStack)),
      a.toFixed(0),
      b.toFixed(0),
      (a / b).toFixed(3),
      `${ca.toFixed(0)} / ${cb.toFixed(0)}`,
      (ca / cb).toFixed(3),
      `${Math.min(...times[`DockerBuildToEcr/${n}`]).toFixed(0)}-${Math.max(...times[`DockerBuildToEcr/${n}`]).toFixed(0)}`,
      `${Math.min(...times[`hand-written L2s/${n}`]).toFixed(0)}-${Math.max(...times[`hand-written L2s/${n}`]).toFixed(0)}`,
    ];
  });
  console.log(
    table(
      [
        'N',
        'stacks',
        'resources (ours / hand)',
        'max res/stack',
        'ours ms',
        'hand ms',
        'ratio ours/hand',
        'CPU ms ours / hand',
        'CPU ratio',
        'ours min-max',
        'hand min-max',
      ],
      rows,
    ),
  );
  if (SIZES.includes(20) && SIZES.includes(200)) {
    for (const variant of VARIANTS) {
      const growth = median(times[`${variant}/200`]) / median(times[`${variant}/20`]);
      const cpuGrowth = median(cpuTimes[`${variant}/200`]) / median(cpuTimes[`${variant}/20`]);
      console.log(
        `linear growth t(200)/t(20), ${variant}: ${growth.toFixed(2)} wall, ${cpuGrowth.toFixed(2)} CPU (target <= 10.5)`,
      );
    }
  }
  if (VARIANTS.includes('hand-written + nag metadata')) {
    console.log('\nprofile: hand-written + the same cdk_nag metadata, ratio to hand-written L2s');
    for (const n of SIZES) {
      const withNag = median(times[`hand-written + nag metadata/${n}`]);
      const hand = median(times[`hand-written L2s/${n}`]);
      const oursMs = median(times[`DockerBuildToEcr/${n}`]);
      console.log(
        `N=${n}: hand+nag ${withNag.toFixed(0)} ms (${(withNag / hand).toFixed(3)}x hand), ours/hand+nag ${(oursMs / withNag).toFixed(3)}`,
      );
    }
  }
  const total = (v: Variant): number => SIZES.reduce((sum, n) => sum + median(times[`${v}/${n}`]), 0);
  console.log(
    `overall ratio (sum of medians) ours/hand: ${(total('DockerBuildToEcr') / total('hand-written L2s')).toFixed(3)}`,
  );
}

/** Resources and template bytes that `add(stack, i)` adds per instance, measured over `count` instances. */
function perInstance(
  prepare: (stack: Stack) => unknown,
  add: (stack: Stack, i: number, prepared: any) => void,
  count = 10,
): { resources: number; bytes: number; types: string } {
  const measure = (n: number): { resources: number; bytes: number; types: Record<string, number> } => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-size-'));
    try {
      const app = new App({ outdir });
      const stack = new Stack(app, 'Size');
      const prepared = prepare(stack);
      for (let i = 0; i < n; i++) {
        add(stack, i, prepared);
      }
      const artifact = app.synth().getStackByName('Size');
      const types: Record<string, number> = {};
      for (const r of Object.values<any>(artifact.template.Resources ?? {})) {
        types[r.Type] = (types[r.Type] ?? 0) + 1;
      }
      return {
        resources: Object.keys(artifact.template.Resources ?? {}).length,
        bytes: fs.statSync(artifact.templateFullPath).size,
        types,
      };
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  };
  const zero = measure(0);
  const many = measure(count);
  const types = Object.entries(many.types)
    .map(([t, k]) => [t, (k - (zero.types[t] ?? 0)) / count] as const)
    .filter(([, k]) => k > 0)
    .map(([t, k]) => `${k} ${t.replace(/^AWS::/, '')}`)
    .join(', ');
  return { resources: (many.resources - zero.resources) / count, bytes: (many.bytes - zero.bytes) / count, types };
}

function sizes(): void {
  console.log('\n## Resources and template bytes per instance (10 instances in one stack, minus the empty stack)\n');
  const rows: string[][] = [];
  const row = (name: string, r: { resources: number; bytes: number; types: string }): void => {
    rows.push([name, String(r.resources), r.bytes.toFixed(0), r.types]);
  };
  row(
    'DockerBuildToEcr (default)',
    perInstance(sourceOf, (stack, i, source) => ours(stack, `P${i}`, source)),
  );
  row(
    'hand-written L2s (same features)',
    perInstance(sourceOf, (stack, i, source) => handWritten(stack, `P${i}`, source)),
  );
  const src = path.join(__dirname, '..', 'src');
  if (fs.existsSync(path.join(src, 'cross-account-pull-policy.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CrossAccountPullPolicy } = require('../src/cross-account-pull-policy');
    row(
      'CrossAccountPullPolicy (3 accounts, on a new repository)',
      perInstance(
        () => undefined,
        (stack, i) => {
          const repository = new ecr.Repository(stack, `R${i}`);
          new CrossAccountPullPolicy(stack, `Pull${i}`, {
            repository,
            accountIds: ['111111111111', '222222222222', '333333333333'],
          });
        },
      ),
    );
    row(
      '  baseline: the repository alone',
      perInstance(
        () => undefined,
        (stack, i) => new ecr.Repository(stack, `R${i}`),
      ),
    );
  }
  if (fs.existsSync(path.join(src, 'go-sample-build.ts'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GoSampleBuild } = require('../src/go-sample-build');
    row(
      'GoSampleBuild (default)',
      perInstance(sourceOf, (stack, i, source) => new GoSampleBuild(stack, `Go${i}`, { source })),
    );
  }
  console.log(table(['construct', 'resources', 'template bytes', 'resource types'], rows));
}

function policyCapacity(): void {
  const file = path.join(__dirname, 'policy-capacity.ts');
  console.log('\n## Policy capacity (accounts that fit in one ECR repository policy, 10,240 characters)\n');
  if (!fs.existsSync(file)) {
    console.log('bench/policy-capacity.ts does not exist yet: not measured');
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const capacity = require('./policy-capacity');
  const rows = (capacity.APPROACHES as string[]).map((approach) => [
    approach,
    String(capacity.maxAccountsThatFit(approach)),
    String(capacity.maxAccountsThatFit(approach, capacity.LONGEST)),
    String(capacity.repositoryPolicyLength(approach, 100)),
  ]);
  console.log(
    table(['approach', 'max accounts (aws)', 'max accounts (longest partition)', 'chars for 100 accounts'], rows),
  );
}

function main(): void {
  console.log(
    `# bench/synth.ts — node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  const parts = arg('only', 'times,sizes,capacity').split(',');
  if (parts.includes('sizes')) {
    sizes();
  }
  if (parts.includes('capacity')) {
    policyCapacity();
  }
  if (parts.includes('times')) {
    console.log('');
    synthTimes();
  }
  console.log(
    `\nload average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main();
