/**
 * The build-on-deploy handler (handlers/build-on-deploy) on a batch project (several platforms):
 * StartBuildBatch, BatchGetBuildBatches, the manifest step's build, reuse, hand-over and Delete.
 *
 * moto (5.2.1) implements none of the batch operations (StartBuildBatch, BatchGetBuildBatches,
 * StopBuildBatch, ListBuildBatchesForProject), so CodeBuild is an in-memory fake here that answers
 * with the shapes of @aws-sdk/client-codebuild (BuildBatch with buildGroups[].currentBuildSummary.arn,
 * Build with exportedEnvironmentVariables), injected with the clock, sleep and hand-over.
 */
// Loaded untyped (the TypeScript source, as jest compiles it): the tests also send malformed events.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('../../handlers/build-on-deploy');

const PROJECT = 'app-image';
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'ef'.repeat(32)}`;
const REPO_URI = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app`;

type Json = Record<string, any>;

let uuidCounter = 0;
function newId(): string {
  uuidCounter++;
  return `${PROJECT}:0b6f7c2e-1111-4222-8333-${String(uuidCounter).padStart(12, '0')}`;
}
const buildArn = (id: string) => `arn:aws:codebuild:${REGION}:${ACCOUNT}:build/${id}`;
const batchArn = (id: string) => `arn:aws:codebuild:${REGION}:${ACCOUNT}:build-batch/${id}`;

/** A command of the fake SDK: its name and its input, as the SDK's command classes keep them. */
function command(name: string) {
  return class {
    public readonly name = name;
    constructor(public readonly input: Json) {}
  };
}

const COMMANDS = {
  StartBuild: command('StartBuild'),
  BatchGetBuilds: command('BatchGetBuilds'),
  StopBuild: command('StopBuild'),
  ListBuildsForProject: command('ListBuildsForProject'),
  StartBuildBatch: command('StartBuildBatch'),
  BatchGetBuildBatches: command('BatchGetBuildBatches'),
  StopBuildBatch: command('StopBuildBatch'),
  ListBuildBatchesForProject: command('ListBuildBatchesForProject'),
};

/**
 * CodeBuild with batches: a batch started here has one build per step (`image_linux_amd64`,
 * `image_linux_arm64`, `manifest`); `script` decides how each poll sees it.
 */
class FakeCodeBuild {
  public readonly calls: Array<{ name: string; input: Json }> = [];
  public readonly batches = new Map<string, Json>();
  public readonly builds = new Map<string, Json>();
  /** Batch ids, newest last. */
  public readonly order: string[] = [];
  /** Batch ids by idempotency token. */
  public readonly tokens = new Map<string, string>();
  /** Called on each BatchGetBuildBatches of a batch, to move it along. */
  public script: (batch: Json, builds: Map<string, Json>) => void = () => {};

  /** Adds a batch with its three builds (all IN_PROGRESS) and returns its id. */
  public addBatch(environmentVariables: Json[] = []): string {
    const id = newId();
    const groups = ['image_linux_amd64', 'image_linux_arm64', 'manifest'].map((identifier) => {
      const buildId = newId();
      this.builds.set(buildId, {
        id: buildId,
        arn: buildArn(buildId),
        buildStatus: 'IN_PROGRESS',
        environment: { environmentVariables },
        logs: { deepLink: `https://logs.example/${identifier}` },
      });
      return { identifier, currentBuildSummary: { arn: buildArn(buildId), buildStatus: 'IN_PROGRESS' } };
    });
    this.batches.set(id, {
      id,
      arn: batchArn(id),
      projectName: PROJECT,
      buildBatchStatus: 'IN_PROGRESS',
      currentPhase: 'IN_PROGRESS',
      environment: { environmentVariables },
      buildGroups: groups,
    });
    this.order.push(id);
    return id;
  }

  /** Sets the status of the build of `identifier` in batch `id` (and its summary), with extra fields. */
  public setBuild(id: string, identifier: string, status: string, extra: Json = {}): void {
    const group = this.batches.get(id)!.buildGroups.find((g: Json) => g.identifier === identifier);
    group.currentBuildSummary.buildStatus = status;
    const buildId = group.currentBuildSummary.arn.split('build/')[1];
    Object.assign(this.builds.get(buildId)!, { buildStatus: status, ...extra });
  }

  /** Ends batch `id` with every build SUCCEEDED and the manifest step exporting `digest`. */
  public succeed(id: string, digest = DIGEST): void {
    this.setBuild(id, 'image_linux_amd64', 'SUCCEEDED');
    this.setBuild(id, 'image_linux_arm64', 'SUCCEEDED');
    this.setBuild(id, 'manifest', 'SUCCEEDED', {
      exportedEnvironmentVariables: [
        { name: 'IMAGE_URI', value: `${REPO_URI}:abc1234` },
        { name: 'IMAGE_TAG', value: 'abc1234' },
        { name: 'IMAGE_DIGEST', value: digest },
      ],
    });
    Object.assign(this.batches.get(id)!, { buildBatchStatus: 'SUCCEEDED', currentPhase: 'SUCCEEDED' });
  }

  public manifestBuildId(id: string): string {
    const group = this.batches.get(id)!.buildGroups.find((g: Json) => g.identifier === 'manifest');
    return group.currentBuildSummary.arn.split('build/')[1];
  }

  public async send(cmd: { name: string; input: Json }): Promise<Json> {
    this.calls.push({ name: cmd.name, input: cmd.input });
    switch (cmd.name) {
      case 'StartBuildBatch': {
        // CodeBuild's idempotency: the same token starts one batch.
        const token = cmd.input.idempotencyToken;
        const id = this.tokens.get(token) ?? this.addBatch(cmd.input.environmentVariablesOverride ?? []);
        if (token) {
          this.tokens.set(token, id);
        }
        return { buildBatch: structuredClone(this.batches.get(id)) };
      }
      case 'BatchGetBuildBatches':
        return {
          buildBatches: cmd.input.ids.flatMap((id: string) => {
            const batch = this.batches.get(id);
            if (batch) {
              this.script(batch, this.builds);
            }
            return batch ? [structuredClone(batch)] : [];
          }),
        };
      case 'BatchGetBuilds':
        return {
          builds: cmd.input.ids.flatMap((id: string) =>
            this.builds.has(id) ? [structuredClone(this.builds.get(id))] : [],
          ),
        };
      case 'ListBuildBatchesForProject':
        return { ids: [...this.order].reverse() };
      case 'StopBuildBatch':
        Object.assign(this.batches.get(cmd.input.id)!, { buildBatchStatus: 'STOPPED' });
        return { buildBatch: this.batches.get(cmd.input.id) };
      default:
        throw new Error(`the batch path called ${cmd.name}`);
    }
  }

  public callsOf(name: string): Json[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.input);
  }
}

interface Harness {
  readonly codebuild: FakeCodeBuild;
  readonly answers: Json[];
  readonly handOvers: Json[];
  readonly images: Set<string>;
  readonly deps: Json;
  clock: number;
  remaining: number;
}

function harness(): Harness {
  const h: Harness = {
    codebuild: new FakeCodeBuild(),
    answers: [],
    handOvers: [],
    images: new Set([DIGEST, OTHER_DIGEST]),
    deps: {},
    clock: 1_000_000,
    remaining: 15 * 60_000,
  };
  Object.assign(h.deps, {
    codebuild: h.codebuild,
    commands: COMMANDS,
    imageExists: async (image: Json) => h.images.has(image.ImageDigest),
    respond: async (_request: Json, result: Json) => {
      h.answers.push(result);
    },
    handOver: async (payload: Json) => {
      // the payload travels as JSON to the next invocation
      h.handOvers.push(JSON.parse(JSON.stringify(payload)));
    },
    sleep: async (ms: number) => {
      h.clock += ms;
      h.remaining -= ms;
    },
    now: () => h.clock,
    remainingMs: () => h.remaining,
  });
  return h;
}

const PROPS = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:handler',
  ProjectName: PROJECT,
  BuildInputs: 'fingerprint-1',
  DeployTimeInputs: { SourceLocation: 'my-sources/app.zip', Image: 'aws/codebuild/standard:7.0', Variables: {} },
  SourceVersion: 'abc1234',
  TimeoutMinutes: '50',
  QueuedTimeoutMinutes: '5',
  PollSeconds: '30',
  Batch: 'true',
  ManifestStep: 'manifest',
};

let requestCounter = 0;
function request(type: string, extra: Json = {}): Json {
  requestCounter++;
  return {
    RequestType: type,
    RequestId: `req-${requestCounter}`,
    ResponseURL: 'http://127.0.0.1:1/answer',
    StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/s/1',
    LogicalResourceId: 'Build',
    ResourceProperties: PROPS,
    ...extra,
  };
}

/** Runs the script: after `polls` polls of a batch, it succeeds. */
function succeedAfter(h: Harness, polls: number, digest = DIGEST): void {
  const seen = new Map<string, number>();
  h.codebuild.script = (batch) => {
    const n = (seen.get(batch.id) ?? 0) + 1;
    seen.set(batch.id, n);
    if (n >= polls && batch.buildBatchStatus === 'IN_PROGRESS') {
      h.codebuild.succeed(batch.id, digest);
      Object.assign(batch, h.codebuild.batches.get(batch.id));
    }
  };
}

describe('isBatch and startBuildBatchInput', () => {
  test('only Batch "true" (as CloudFormation passes it) makes a batch resource', () => {
    expect(core.isBatch({ Batch: 'true' })).toBe(true);
    expect(core.isBatch({ Batch: 'false' })).toBe(false);
    expect(core.isBatch({})).toBe(false);
    expect(core.isBatch(undefined)).toBe(false);
  });

  test('the StartBuild overrides under the batch API names: source version, timeouts, token, inputs', () => {
    const input = core.startBuildBatchInput(PROPS, 'req-1');
    expect(input).toEqual({
      projectName: PROJECT,
      sourceVersion: 'abc1234',
      buildTimeoutInMinutesOverride: 50,
      queuedTimeoutInMinutesOverride: 5,
      idempotencyToken: 'cfn-req-1',
      environmentVariablesOverride: [
        { name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS', value: core.inputsKey(PROPS), type: 'PLAINTEXT' },
      ],
    });
    expect(input).not.toHaveProperty('timeoutInMinutesOverride');
  });

  test('fails without a project name', () => {
    expect(() => core.startBuildBatchInput({ Batch: 'true' }, 'r')).toThrow(/ProjectName is missing/);
  });
});

describe('batchOutcome', () => {
  const id = `${PROJECT}:0b6f7c2e-1111-4222-8333-944445555666`;
  const group = (identifier: string, status: string, n: number) => ({
    identifier,
    currentBuildSummary: { arn: buildArn(`${PROJECT}:0b6f7c2e-1111-4222-8333-00000000000${n}`), buildStatus: status },
  });

  test('not done while the batch runs', () => {
    expect(core.batchOutcome({ id, buildBatchStatus: 'IN_PROGRESS' }, 'manifest')).toEqual({ done: false });
  });

  test('succeeded: the build of the manifest step', () => {
    const batch = {
      id,
      buildBatchStatus: 'SUCCEEDED',
      buildGroups: [group('image_linux_amd64', 'SUCCEEDED', 1), group('manifest', 'SUCCEEDED', 2)],
    };
    expect(core.batchOutcome(batch, 'manifest')).toEqual({
      done: true,
      ok: true,
      manifestBuildId: `${PROJECT}:0b6f7c2e-1111-4222-8333-000000000002`,
    });
  });

  test('succeeded without a manifest step is a failure that names the steps', () => {
    const batch = {
      id,
      arn: batchArn(id),
      buildBatchStatus: 'SUCCEEDED',
      buildGroups: [group('image_x', 'SUCCEEDED', 1)],
    };
    const outcome = core.batchOutcome(batch, 'manifest');
    expect(outcome.ok).toBe(false);
    expect(outcome.reason).toMatch(
      /^Batch build .* succeeded but has no build for its step "manifest" \(steps: image_x\)/,
    );
  });

  test.each(['FAILED', 'FAULT', 'TIMED_OUT', 'STOPPED'])(
    '%s: the batch id, the failed builds, the batch phase and the console link',
    (status) => {
      const batch = {
        id,
        arn: batchArn(id),
        buildBatchStatus: status,
        phases: [
          { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED' },
          { phaseType: 'IN_PROGRESS', phaseStatus: status, contexts: [{ message: 'a build failed' }] },
        ],
        buildGroups: [
          group('image_linux_amd64', 'SUCCEEDED', 1),
          group('image_linux_arm64', 'FAILED', 2),
          group('manifest', 'STOPPED', 3),
        ],
      };
      const outcome = core.batchOutcome(batch, 'manifest');
      expect(outcome.failedBuildIds).toEqual([`${PROJECT}:0b6f7c2e-1111-4222-8333-000000000002`]);
      expect(outcome.reason).toBe(
        `Batch build ${id} ended with ${status}: failed build(s) image_linux_arm64 ` +
          `(${PROJECT}:0b6f7c2e-1111-4222-8333-000000000002: FAILED); batch phase IN_PROGRESS ${status}: a build failed ` +
          `(console: https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/111111111111/projects/app-image/batch/` +
          'app-image%3A0b6f7c2e-1111-4222-8333-944445555666/?region=eu-west-1)',
      );
    },
  );

  test('stopped with no failed build: names the builds that did not succeed', () => {
    const batch = {
      id,
      buildBatchStatus: 'STOPPED',
      buildGroups: [group('image_linux_amd64', 'SUCCEEDED', 1), group('manifest', 'STOPPED', 3)],
    };
    expect(core.batchOutcome(batch, 'manifest').reason).toMatch(/failed build\(s\) manifest \(.*: STOPPED\)$/);
  });

  test('batchConsoleUrl and buildIdOfArn', () => {
    expect(core.batchConsoleUrl(batchArn(id).replace('arn:aws:', 'arn:aws-cn:'))).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/codesuite\/codebuild\/111111111111\/projects\/app-image\/batch\//,
    );
    expect(core.batchConsoleUrl(buildArn(id))).toBeUndefined();
    expect(core.buildIdOfArn(buildArn(id))).toBe(id);
    expect(core.buildIdOfArn(batchArn(id))).toBeUndefined();
  });
});

describe('a batch resource', () => {
  test('Create starts a batch, polls it and answers with the manifest step exported variables', async () => {
    const h = harness();
    succeedAfter(h, 3);
    // WHEN
    await expect(core.handle(request('Create'), h.deps)).resolves.toBe('answered');
    // THEN one batch, no single build
    const started = h.codebuild.callsOf('StartBuildBatch');
    expect(started).toEqual([core.startBuildBatchInput(PROPS, `req-${requestCounter}`)]);
    expect(h.codebuild.calls.some((c) => c.name === 'StartBuild')).toBe(false);
    const batchId = h.codebuild.order[0];
    expect(h.codebuild.callsOf('BatchGetBuildBatches')).toHaveLength(3);
    expect(h.clock).toBe(1_000_000 + 2 * 30_000);
    expect(h.answers).toEqual([
      {
        Status: 'SUCCESS',
        PhysicalResourceId: batchId,
        Data: {
          ImageDigest: DIGEST,
          ImageDigestHex: 'cd'.repeat(32),
          ImageUri: `${REPO_URI}:abc1234`,
          ImageTag: 'abc1234',
          BuildId: h.codebuild.manifestBuildId(batchId),
          BuildArn: buildArn(h.codebuild.manifestBuildId(batchId)),
          BuildBatchId: batchId,
          BuildBatchArn: batchArn(batchId),
        },
      },
    ]);
  });

  test('a failed batch fails the deployment with the batch, the failed build, its phase and the links', async () => {
    const h = harness();
    h.codebuild.script = (batch) => {
      h.codebuild.setBuild(batch.id, 'image_linux_arm64', 'FAILED', {
        phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ message: 'exit status 1' }] }],
      });
      Object.assign(h.codebuild.batches.get(batch.id)!, { buildBatchStatus: 'FAILED' });
      Object.assign(batch, structuredClone(h.codebuild.batches.get(batch.id)));
    };
    await core.handle(request('Create'), h.deps);
    const batchId = h.codebuild.order[0];
    expect(h.answers).toHaveLength(1);
    expect(h.answers[0].Status).toBe('FAILED');
    expect(h.answers[0].PhysicalResourceId).toBe(batchId);
    expect(h.answers[0].Reason).toMatch(
      new RegExp(
        `^Batch build ${batchId} ended with FAILED: failed build\\(s\\) image_linux_arm64 \\(.*: FAILED\\) ` +
          '\\(console: https://eu-west-1\\.console\\.aws\\.amazon\\.com/codesuite/codebuild/111111111111/projects/app-image/batch/.*\\)\\. ' +
          'Build app-image:.* ended with FAILED in phase BUILD: exit status 1 \\(console: .*/build/.*; logs: https://logs\\.example/image_linux_arm64\\)$',
      ),
    );
  });

  test('a manifest step that exported no digest fails the deployment', async () => {
    const h = harness();
    succeedAfter(h, 1);
    const realSucceed = h.codebuild.succeed.bind(h.codebuild);
    h.codebuild.succeed = (id: string) => {
      realSucceed(id);
      h.codebuild.setBuild(id, 'manifest', 'SUCCEEDED', { exportedEnvironmentVariables: [] });
    };
    await core.handle(request('Create'), h.deps);
    expect(h.answers[0].Status).toBe('FAILED');
    expect(h.answers[0].Reason).toMatch(/^Batch build .*: Build .* succeeded but exported no image digest/);
  });

  test('hands the wait over before Lambda times out, and the next invocation answers', async () => {
    const h = harness();
    // room for one poll interval plus the hand-over margin (90 s), not for two
    h.remaining = 100_000;
    succeedAfter(h, 3);
    await expect(core.handle(request('Create'), h.deps)).resolves.toBe('handed-over');
    expect(h.answers).toEqual([]);
    expect(h.handOvers).toHaveLength(1);
    const batchId = h.codebuild.order[0];
    const waiter = h.handOvers[0].Waiter;
    expect(waiter.BuildId).toBe(batchId);
    expect(waiter.Deadline).toBe(1_000_000 + (50 + 5 + 3) * 60_000);
    // WHEN the next invocation runs with the payload
    h.remaining = 15 * 60_000;
    await expect(core.handle(h.handOvers[0], h.deps)).resolves.toBe('answered');
    // THEN it polls the same batch (started once) and answers
    expect(h.codebuild.callsOf('StartBuildBatch')).toHaveLength(1);
    expect(h.codebuild.callsOf('BatchGetBuildBatches')).toHaveLength(3);
    expect(h.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: batchId })]);
  });

  test('stops the batch and fails when the deadline passes', async () => {
    const h = harness();
    await core.handle(
      { Waiter: { Request: request('Create'), BuildId: h.codebuild.addBatch(), Deadline: h.clock - 1 } },
      h.deps,
    );
    const batchId = h.codebuild.order[0];
    expect(h.codebuild.callsOf('StopBuildBatch')).toEqual([{ id: batchId }]);
    expect(h.answers[0]).toEqual({
      Status: 'FAILED',
      PhysicalResourceId: batchId,
      Reason: expect.stringMatching(
        new RegExp(
          `^Batch build ${batchId} did not finish in time \\(still IN_PROGRESS in phase IN_PROGRESS\\); stopped it \\(console: `,
        ),
      ),
    });
  });

  test('Update with unchanged inputs answers with the previous batch, and starts none', async () => {
    const h = harness();
    const previous = h.codebuild.addBatch();
    h.codebuild.succeed(previous);
    await core.handle(
      request('Update', { PhysicalResourceId: previous, OldResourceProperties: { ...PROPS, TimeoutMinutes: '20' } }),
      h.deps,
    );
    expect(h.codebuild.callsOf('StartBuildBatch')).toEqual([]);
    expect(h.answers).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: previous,
        Data: expect.objectContaining({ ImageDigest: DIGEST, BuildBatchId: previous }),
      }),
    ]);
  });

  test('fails when the inputs did not change but the previous batch is not a finished one', async () => {
    const h = harness();
    const previous = h.codebuild.addBatch();
    await core.handle(request('Update', { PhysicalResourceId: previous, OldResourceProperties: PROPS }), h.deps);
    expect(h.answers[0].Status).toBe('FAILED');
    expect(h.answers[0].Reason).toMatch(/previous batch build .* is not a finished batch/);
  });

  test('Update back to earlier inputs reuses the newest batch with those inputs whose image exists', async () => {
    const h = harness();
    const key = core.inputsKey(PROPS);
    const inputs = [{ name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS', value: key, type: 'PLAINTEXT' }];
    const older = h.codebuild.addBatch(inputs);
    h.codebuild.succeed(older, OTHER_DIGEST);
    const expired = h.codebuild.addBatch(inputs);
    h.codebuild.succeed(expired, `sha256:${'00'.repeat(32)}`); // its image is gone
    const otherInputs = h.codebuild.addBatch([
      { name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS', value: 'x', type: 'PLAINTEXT' },
    ]);
    h.codebuild.succeed(otherInputs);
    const running = h.codebuild.addBatch(inputs);
    // WHEN the stack goes back to PROPS (a rollback)
    await core.handle(
      request('Update', { PhysicalResourceId: otherInputs, OldResourceProperties: { ...PROPS, BuildInputs: 'x' } }),
      h.deps,
    );
    // THEN no batch starts and the answer is the older batch (the newer ones run, changed inputs or lost their image)
    expect(h.codebuild.callsOf('StartBuildBatch')).toEqual([]);
    expect(h.codebuild.callsOf('ListBuildBatchesForProject')).toEqual([
      { projectName: PROJECT, sortOrder: 'DESCENDING', maxResults: 100 },
    ]);
    expect(h.answers).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: older,
        Data: expect.objectContaining({ ImageDigest: OTHER_DIGEST, BuildBatchId: older }),
      }),
    ]);
    expect(running).not.toBe(older);
  });

  test('reuse also recognises the inputs on the manifest build when the batch does not show them', async () => {
    const h = harness();
    const batchId = h.codebuild.addBatch();
    h.codebuild.succeed(batchId);
    h.codebuild.builds.get(h.codebuild.manifestBuildId(batchId))!.environment = {
      environmentVariables: [{ name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS', value: core.inputsKey(PROPS) }],
    };
    await core.handle(
      request('Update', { PhysicalResourceId: 'other', OldResourceProperties: { ...PROPS, SourceVersion: 'x' } }),
      h.deps,
    );
    expect(h.codebuild.callsOf('StartBuildBatch')).toEqual([]);
    expect(h.answers[0]).toEqual(expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: batchId }));
  });

  test('Update with changed inputs and no earlier batch to reuse starts a batch', async () => {
    const h = harness();
    succeedAfter(h, 1);
    await core.handle(
      request('Update', { PhysicalResourceId: 'old', OldResourceProperties: { ...PROPS, BuildInputs: 'old' } }),
      h.deps,
    );
    expect(h.codebuild.callsOf('StartBuildBatch')).toHaveLength(1);
    expect(h.answers[0]).toEqual(
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: h.codebuild.order[0] }),
    );
  });

  test('Delete stops a batch that is still running, and only that one', async () => {
    const h = harness();
    const running = h.codebuild.addBatch();
    await core.handle(request('Delete', { PhysicalResourceId: running }), h.deps);
    expect(h.codebuild.callsOf('StopBuildBatch')).toEqual([{ id: running }]);
    expect(h.answers).toEqual([{ Status: 'SUCCESS', PhysicalResourceId: running }]);
  });

  test.each([
    [
      'a finished batch',
      (h: Harness) => {
        const id = h.codebuild.addBatch();
        h.codebuild.succeed(id);
        return id;
      },
    ],
    ['a batch of another project', () => `other-project:0b6f7c2e-1111-4222-8333-944445555666`],
    ['a failed Create', () => 'failed-req-1'],
  ])('Delete of %s stops nothing and succeeds', async (_what, physicalId) => {
    const h = harness();
    const id = physicalId(h);
    await core.handle(request('Delete', { PhysicalResourceId: id }), h.deps);
    expect(h.codebuild.callsOf('StopBuildBatch')).toEqual([]);
    expect(h.answers).toEqual([{ Status: 'SUCCESS', PhysicalResourceId: id }]);
  });

  test('a request delivered twice at once starts one batch, and both invocations answer with it', async () => {
    const h = harness();
    succeedAfter(h, 2);
    const create = request('Create');
    // WHEN
    const results = await Promise.all([core.handle(create, h.deps), core.handle(structuredClone(create), h.deps)]);
    // THEN
    expect(results).toEqual(['answered', 'answered']);
    const tokens = h.codebuild.callsOf('StartBuildBatch').map((i) => i.idempotencyToken);
    expect(tokens).toEqual([`cfn-${create.RequestId}`, `cfn-${create.RequestId}`]);
    expect(h.codebuild.order).toHaveLength(1);
    expect(h.answers.map((a) => [a.Status, a.PhysicalResourceId])).toEqual([
      ['SUCCESS', h.codebuild.order[0]],
      ['SUCCESS', h.codebuild.order[0]],
    ]);
  });

  test('two resources deploying at once start a batch each', async () => {
    const h = harness();
    succeedAfter(h, 2);
    await Promise.all([core.handle(request('Create'), h.deps), core.handle(request('Create'), h.deps)]);
    expect(h.codebuild.order).toHaveLength(2);
    expect(new Set(h.answers.map((a) => a.PhysicalResourceId))).toEqual(new Set(h.codebuild.order));
  });

  test('a StartBuildBatch that returns no batch fails the deployment', async () => {
    const h = harness();
    h.codebuild.send = async (cmd: { name: string; input: Json }) => {
      h.codebuild.calls.push(cmd);
      return {};
    };
    await core.handle(request('Create'), h.deps);
    expect(h.answers[0]).toEqual(
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringMatching(/StartBuildBatch of project app-image returned no batch id/),
      }),
    );
  });
});
