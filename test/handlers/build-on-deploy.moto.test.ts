import * as http from 'http';
import { AddressInfo } from 'net';
import {
  BatchGetBuildsCommand,
  CodeBuildClient,
  CreateProjectCommand,
  ListBuildsForProjectCommand,
  StartBuildCommand,
  StopBuildCommand,
} from '@aws-sdk/client-codebuild';
import { BatchDeleteImageCommand, CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { acceptMotoTimestamps } from '../support/moto-codebuild';
import { motoClientConfig, MotoServer, startMoto } from '../support/moto-server';

/**
 * The build-on-deploy handler (handlers/build-on-deploy) against moto's CodeBuild API, with its real
 * SDK client (built by the handler from AWS_ENDPOINT_URL_CODEBUILD) and a local HTTP server standing
 * in for CloudFormation's response URL.
 *
 * What moto covers: StartBuild (the project must exist; it returns a build id and ARN and keeps the
 * source version), BatchGetBuilds (finds builds by id) and StopBuild. What it does not: it runs no
 * build, ignores the timeout, environment-variable overrides and the idempotency token (the harness
 * shows the overrides in the builds it reads, as CodeBuild does), answers timestamps as strings
 * the SDK refuses (support/moto-codebuild.ts converts them), and reports every build it is
 * asked about as SUCCEEDED with no exported variables. So the StartBuild input is also checked as
 * sent, and where a test needs a running, failed or digest-exporting build, it overlays that state
 * on the build moto returns (`script`), keeping moto's id, ARN and source version. Waiting is
 * driven by an injected clock, sleep and hand-over instead of real minutes. ECR (DescribeImages, for
 * reusing an earlier build's image) is moto's, with images put there by the test.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../../handlers/build-on-deploy');

const REGION = 'eu-west-1';
const PROJECT = 'app-image-build';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

type Build = Record<string, any>;
type Script = (build: Build, poll: number) => Build;

interface Answer {
  readonly path: string;
  readonly body: Record<string, any>;
}

let moto: MotoServer | undefined;
let codebuild: CodeBuildClient;
let ecr: ECRClient;
/** The environment-variable overrides each build was started with (moto keeps none). */
const overridesOf = new Map<string, any[]>();
let responder: http.Server;
let responderUrl: string;
const answers: Answer[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_SESSION_TOKEN = 'testing';
  process.env.AWS_REGION = REGION;
  process.env.AWS_ENDPOINT_URL_CODEBUILD = moto.endpoint;
  process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
  ecr = new ECRClient(motoClientConfig(moto.endpoint, REGION));
  await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
  codebuild = new CodeBuildClient(motoClientConfig(moto.endpoint, REGION));
  acceptMotoTimestamps(codebuild);
  await codebuild.send(
    new CreateProjectCommand({
      name: PROJECT,
      source: { type: 'S3', location: 'my-sources/app/source.zip' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: 'aws/codebuild/standard:7.0',
        computeType: 'BUILD_GENERAL1_SMALL',
      },
      serviceRole: 'arn:aws:iam::123456789012:role/build',
    }),
  );
  // CloudFormation's pre-signed response URL, on loopback (port 0: the kernel picks a free one).
  responder = http.createServer((incoming, outgoing) => {
    let body = '';
    incoming.on('data', (chunk) => (body += chunk));
    incoming.on('end', () => {
      answers.push({ path: incoming.url ?? '', body: JSON.parse(body) });
      outgoing.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
  responderUrl = `http://127.0.0.1:${(responder.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  codebuild?.destroy();
  ecr?.destroy();
  await new Promise<void>((resolve) => (responder ? responder.close(() => resolve()) : resolve()));
  await moto?.stop();
}, 30_000);

beforeEach(() => {
  answers.length = 0;
});

let requestCounter = 0;

function request(type: string, props: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const requestId = `req-${++requestCounter}`;
  return {
    RequestType: type,
    RequestId: requestId,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1',
    LogicalResourceId: 'ImageBuildOnDeploy',
    ResourceType: 'Custom::CdkEcrCodebuildImageBuild',
    ResponseURL: `${responderUrl}/${requestId}`,
    ResourceProperties: {
      ProjectName: PROJECT,
      BuildInputs: 'fingerprint-1',
      DeployTimeInputs: { SourceLocation: 'my-sources/app/source.zip' },
      TimeoutMinutes: '20',
      QueuedTimeoutMinutes: '5',
      PollSeconds: '30',
      ...props,
    },
    ...extra,
  };
}

/** The handler's own dependencies (real client against moto), with a scripted view of builds and a fake clock. */
function harness(script?: Script, options: { remainingMs?: number; startAt?: number } = {}) {
  const context = {
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:h',
    getRemainingTimeInMillis: () => 0,
  };
  const real = handlerModule.lambdaDeps(context);
  acceptMotoTimestamps(real.codebuild);
  const calls: Array<{ name: string; input: any }> = [];
  const handOvers: any[] = [];
  let clock = options.startAt ?? 1_000_000;
  let polls = 0;
  const deps = {
    ...real,
    codebuild: {
      send: async (command: any) => {
        calls.push({ name: command.constructor.name, input: command.input });
        const output = await real.codebuild.send(command);
        if (command instanceof StartBuildCommand && output.build?.id) {
          overridesOf.set(output.build.id, command.input.environmentVariablesOverride ?? []);
        }
        if (command instanceof BatchGetBuildsCommand) {
          output.builds = (output.builds ?? []).map((b: Build) => withOverrides(b));
          if (script) {
            polls++;
            output.builds = output.builds.map((b: Build) => script(b, polls));
          }
        }
        return output;
      },
    },
    sleep: async (ms: number) => {
      clock += ms;
    },
    now: () => clock,
    remainingMs: () => options.remainingMs ?? 14 * 60_000,
    handOver: async (payload: any) => {
      handOvers.push(JSON.parse(JSON.stringify(payload)));
    },
  };
  return {
    deps,
    calls,
    handOvers,
    advance: (ms: number) => (clock += ms),
    names: () => calls.map((c) => c.name),
  };
}

/** A build as CodeBuild reports it: its environment holds the overrides it was started with. */
function withOverrides(b: Build): Build {
  const overrides = (overridesOf.get(b.id) ?? []).map(({ name, value, type }) => ({ name, value, type }));
  return {
    ...b,
    environment: {
      ...b.environment,
      environmentVariables: [...(b.environment?.environmentVariables ?? []), ...overrides],
    },
  };
}

/** Puts an image into moto's ECR repository `app`; returns its digest. */
async function putImage(tag: string): Promise<string> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: 2,
      digest: `sha256:${tag.padEnd(64, '0')}`,
    },
    layers: [],
  });
  const out = await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: manifest, imageTag: tag }));
  return out.image!.imageId!.imageDigest!;
}

/** A build that succeeded and exported an image of moto's repository `app`. */
function succeededWith(digest: string, tag: string): Script {
  return (b) => ({
    ...b,
    buildStatus: 'SUCCEEDED',
    exportedEnvironmentVariables: [
      { name: 'IMAGE_URI', value: `123456789012.dkr.ecr.${REGION}.amazonaws.com/app:${tag}` },
      { name: 'IMAGE_TAG', value: tag },
      { name: 'IMAGE_DIGEST', value: digest },
    ],
  });
}

const succeeded: Script = (b) => ({
  ...b,
  buildStatus: 'SUCCEEDED',
  exportedEnvironmentVariables: [
    { name: 'IMAGE_URI', value: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${COMMIT.slice(0, 7)}` },
    { name: 'IMAGE_TAG', value: COMMIT.slice(0, 7) },
    { name: 'IMAGE_DIGEST', value: DIGEST },
  ],
});

function inProgressFor(n: number, then: Script): Script {
  return (b, poll) => (poll <= n ? { ...b, buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD' } : then(b, poll));
}

async function motoBuild(id: string): Promise<Build> {
  const out = await codebuild.send(new BatchGetBuildsCommand({ ids: [id] }));
  return out.builds![0];
}

describe('Create', () => {
  test('starts a build of the project at the source version, with the deploy-time overrides', async () => {
    // GIVEN a build that succeeds and exports its image
    const h = harness(succeeded);
    // WHEN
    const create = request('Create', { SourceVersion: COMMIT });
    const outcome = await handlerModule.handle(create, h.deps);
    // THEN StartBuild reached moto with the overrides, and CloudFormation got the image
    expect(outcome).toBe('answered');
    const start = h.calls.find((c) => c.name === StartBuildCommand.name)!;
    expect(start.input).toEqual({
      projectName: PROJECT,
      sourceVersion: COMMIT,
      timeoutInMinutesOverride: 20,
      queuedTimeoutInMinutesOverride: 5,
      idempotencyToken: `cfn-${create.RequestId}`,
      environmentVariablesOverride: [
        {
          name: 'CDK_ECR_CODEBUILD_BUILD_INPUTS',
          value: handlerModule.inputsKey(create.ResourceProperties),
          type: 'PLAINTEXT',
        },
      ],
    });
    expect(answers).toHaveLength(1);
    const answer = answers[0].body;
    expect(answer).toMatchObject({ Status: 'SUCCESS', RequestId: create.RequestId });
    expect(answer.PhysicalResourceId).toMatch(new RegExp(`^${PROJECT}:[0-9a-f-]{36}$`));
    expect(answer.Data).toEqual({
      ImageDigest: DIGEST,
      ImageDigestHex: DIGEST.slice(7),
      ImageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:${COMMIT.slice(0, 7)}`,
      ImageTag: COMMIT.slice(0, 7),
      BuildId: answer.PhysicalResourceId,
      BuildArn: `arn:aws:codebuild:${REGION}:123456789012:build/${answer.PhysicalResourceId}`,
    });
    // moto holds the build, at the commit asked for
    const listed = await codebuild.send(new ListBuildsForProjectCommand({ projectName: PROJECT }));
    expect(listed.ids).toContain(answer.PhysicalResourceId);
    expect((await motoBuild(answer.PhysicalResourceId)).sourceVersion).toBe(COMMIT);
  });

  test("moto's own build: it succeeds with no exported variables, which fails the deployment", async () => {
    // GIVEN moto's builds as they are (SUCCEEDED when read, nothing exported)
    const h = harness();
    // WHEN
    await handlerModule.handle(request('Create'), h.deps);
    // THEN
    expect(answers).toHaveLength(1);
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(
      new RegExp(`^Build ${PROJECT}:[0-9a-f-]{36} succeeded but exported no image digest: IMAGE_DIGEST is missing`),
    );
    expect(answers[0].body.PhysicalResourceId).toMatch(new RegExp(`^${PROJECT}:`));
  });

  test('fails with the error of StartBuild when the project does not exist', async () => {
    const h = harness();
    await handlerModule.handle(request('Create', { ProjectName: 'no-such-project' }), h.deps);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `failed-req-${requestCounter}` });
    expect(answers[0].body.Reason).toMatch(/ResourceNotFoundException: Project cannot be found/);
  });

  test('a failed build fails the deployment with its id, the failed phase and a console link', async () => {
    const h = harness(
      inProgressFor(2, (b) => ({
        ...b,
        buildStatus: 'FAILED',
        phases: [{ phaseType: 'BUILD', phaseStatus: 'FAILED', contexts: [{ message: 'exit status 1' }] }],
      })),
    );
    await handlerModule.handle(request('Create'), h.deps);
    expect(answers).toHaveLength(1);
    const { body } = answers[0];
    expect(body.Status).toBe('FAILED');
    expect(body.Reason).toMatch(
      new RegExp(
        `^Build ${body.PhysicalResourceId} ended with FAILED in phase BUILD: exit status 1 \\(console: ` +
          `https://${REGION}\\.console\\.aws\\.amazon\\.com/codesuite/codebuild/123456789012/projects/${PROJECT}/build/`,
      ),
    );
    // three polls: two in progress, then the failure
    expect(h.names().filter((n) => n === BatchGetBuildsCommand.name)).toHaveLength(3);
  });

  test('waits across invocations: hands over before Lambda times out, and the next one answers', async () => {
    // GIVEN a build that runs for 40 polls and an invocation with little time left
    let polls = 0;
    const script: Script = (b) =>
      ++polls <= 40 ? { ...b, buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD' } : succeeded(b, polls);
    const first = harness(script, { remainingMs: 60_000 });
    // WHEN the first invocation runs out of time
    const outcome = await handlerModule.handle(request('Create'), first.deps);
    // THEN it hands over without answering
    expect(outcome).toBe('handed-over');
    expect(answers).toHaveLength(0);
    expect(first.handOvers).toHaveLength(1);
    const payload = first.handOvers[0];
    expect(payload.Waiter).toEqual({
      Request: expect.objectContaining({ RequestId: `req-${requestCounter}`, RequestType: 'Create' }),
      BuildId: expect.stringMatching(new RegExp(`^${PROJECT}:`)),
      Deadline: 1_000_000 + 28 * 60_000,
    });
    // WHEN the next invocation takes over (it starts no build)
    const second = harness(script, { startAt: 1_000_000 + 60_000 });
    expect(await handlerModule.handle(payload, second.deps)).toBe('answered');
    expect(second.names()).not.toContain(StartBuildCommand.name);
    // THEN exactly one answer, for the build the first invocation started
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: payload.Waiter.BuildId });
  });

  test('a build still running at the deadline is stopped and fails the deployment', async () => {
    const h = harness((b) => ({ ...b, buildStatus: 'IN_PROGRESS', currentPhase: 'BUILD' }));
    await handlerModule.handle(request('Create'), h.deps);
    expect(answers).toHaveLength(1);
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(/did not finish in time \(still IN_PROGRESS in phase BUILD\); stopped it/);
    // StopBuild reached moto for that build
    const stop = h.calls.find((c) => c.name === StopBuildCommand.name);
    expect(stop?.input).toEqual({ id: answers[0].body.PhysicalResourceId });
  });

  test('concurrent requests (two stacks deploying) each start and answer for their own build', async () => {
    const requests = [request('Create'), request('Create'), request('Create')];
    await Promise.all(requests.map((r) => handlerModule.handle(r, harness(succeeded).deps)));
    expect(answers).toHaveLength(3);
    const byRequest = new Map(answers.map((a) => [a.body.RequestId, a.body]));
    const ids = requests.map((r) => byRequest.get(r.RequestId)!.PhysicalResourceId);
    expect(new Set(ids).size).toBe(3);
    for (const r of requests) {
      expect(byRequest.get(r.RequestId)).toMatchObject({ Status: 'SUCCESS', Data: { ImageDigest: DIGEST } });
    }
  });
});

describe('Update', () => {
  async function created(): Promise<{ id: string; props: Record<string, any> }> {
    const r = request('Create');
    await handlerModule.handle(r, harness(succeeded).deps);
    const id = answers.pop()!.body.PhysicalResourceId;
    return { id, props: r.ResourceProperties };
  }

  test('builds again when a build input changed', async () => {
    // GIVEN
    const { id, props } = await created();
    const h = harness(succeeded);
    // WHEN the fingerprint changed
    await handlerModule.handle(
      request('Update', { BuildInputs: 'fingerprint-2' }, { PhysicalResourceId: id, OldResourceProperties: props }),
      h.deps,
    );
    // THEN a new build, a new physical id
    expect(h.names()).toContain(StartBuildCommand.name);
    expect(answers).toHaveLength(1);
    expect(answers[0].body.Status).toBe('SUCCESS');
    expect(answers[0].body.PhysicalResourceId).not.toBe(id);
  });

  test('starts no build when nothing that feeds the build changed, and answers with the last image', async () => {
    // GIVEN
    const { id, props } = await created();
    const h = harness(succeeded);
    // WHEN only the poll interval and the timeout changed
    await handlerModule.handle(
      request(
        'Update',
        { PollSeconds: '10', TimeoutMinutes: '30' },
        { PhysicalResourceId: id, OldResourceProperties: props },
      ),
      h.deps,
    );
    // THEN no StartBuild; the same physical id and image
    expect(h.names()).toEqual([BatchGetBuildsCommand.name]);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: id,
      Data: { ImageDigest: DIGEST, BuildId: id },
    });
  });

  test('a rollback to the inputs of an earlier build reuses it while its image is in the repository', async () => {
    // GIVEN a first deployment (inputs A) and a second (inputs B), each built
    const digestA = await putImage('rollback-a');
    const propsA = request('Create', { BuildInputs: 'inputs-a' }).ResourceProperties;
    await handlerModule.handle(
      request('Create', { BuildInputs: 'inputs-a' }),
      harness(succeededWith(digestA, 'rollback-a')).deps,
    );
    const buildA = answers.pop()!.body.PhysicalResourceId;
    const digestB = await putImage('rollback-b');
    await handlerModule.handle(
      request('Update', { BuildInputs: 'inputs-b' }, { PhysicalResourceId: buildA, OldResourceProperties: propsA }),
      harness(succeededWith(digestB, 'rollback-b')).deps,
    );
    const b = answers.pop()!.body;
    expect(b.Data.ImageDigest).toBe(digestB);
    // WHEN CloudFormation rolls back: an Update to inputs A (the project still has definition B)
    const h = harness(succeededWith(digestA, 'rollback-a'));
    await handlerModule.handle(
      request(
        'Update',
        { BuildInputs: 'inputs-a' },
        { PhysicalResourceId: b.PhysicalResourceId, OldResourceProperties: { ...propsA, BuildInputs: 'inputs-b' } },
      ),
      h.deps,
    );
    // THEN build A's image comes back, and nothing is built
    expect(h.names()).not.toContain(StartBuildCommand.name);
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: buildA,
      Data: { ImageDigest: digestA },
    });
  });

  test('builds again when the image of the earlier build with the same inputs is gone', async () => {
    // GIVEN a build with inputs C whose image was then deleted (e.g. expired by a lifecycle rule)
    const digestC = await putImage('expired-c');
    const propsC = request('Create', { BuildInputs: 'inputs-c' }).ResourceProperties;
    await handlerModule.handle(
      request('Create', { BuildInputs: 'inputs-c' }),
      harness(succeededWith(digestC, 'expired-c')).deps,
    );
    const buildC = answers.pop()!.body.PhysicalResourceId;
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: digestC }] }));
    // WHEN an Update returns to inputs C
    const h = harness(succeeded);
    await handlerModule.handle(
      request(
        'Update',
        { BuildInputs: 'inputs-c' },
        { PhysicalResourceId: buildC, OldResourceProperties: { ...propsC, BuildInputs: 'inputs-d' } },
      ),
      h.deps,
    );
    // THEN a new build
    expect(h.names()).toContain(StartBuildCommand.name);
    expect(answers[0].body.Status).toBe('SUCCESS');
    expect(answers[0].body.PhysicalResourceId).not.toBe(buildC);
  });

  test('fails loudly when nothing changed but the last build is unknown', async () => {
    const { props } = await created();
    const gone = `${PROJECT}:00000000-0000-0000-0000-000000000000`;
    await handlerModule.handle(
      request('Update', { PollSeconds: '10' }, { PhysicalResourceId: gone, OldResourceProperties: props }),
      harness(succeeded).deps,
    );
    expect(answers[0].body.Status).toBe('FAILED');
    expect(answers[0].body.Reason).toMatch(
      /the build inputs did not change, but the previous build .* is not a finished build/,
    );
  });
});

describe('Delete', () => {
  test('stops the build of the resource when it is still running, and deletes nothing else', async () => {
    // GIVEN a build started by a Create that CloudFormation gave up on
    const { build } = await codebuild.send(new StartBuildCommand({ projectName: PROJECT }));
    const h = harness((b) => ({ ...b, buildStatus: 'IN_PROGRESS' }));
    // WHEN
    await handlerModule.handle(request('Delete', {}, { PhysicalResourceId: build!.id }), h.deps);
    // THEN StopBuild reached moto for it, and CloudFormation got SUCCESS with the same id
    expect(h.names()).toEqual([BatchGetBuildsCommand.name, StopBuildCommand.name]);
    expect(h.calls[1].input).toEqual({ id: build!.id });
    expect(answers).toHaveLength(1);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: build!.id });
  });

  test('a finished build: nothing is stopped', async () => {
    const { build } = await codebuild.send(new StartBuildCommand({ projectName: PROJECT }));
    const h = harness(); // moto reports it SUCCEEDED
    await handlerModule.handle(request('Delete', {}, { PhysicalResourceId: build!.id }), h.deps);
    expect(h.names()).toEqual([BatchGetBuildsCommand.name]);
    expect(answers[0].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: build!.id });
  });

  test('a resource whose Create failed before a build (or of another project): no call at all', async () => {
    const h = harness();
    await handlerModule.handle(request('Delete', {}, { PhysicalResourceId: 'failed-req-0' }), h.deps);
    await handlerModule.handle(
      request('Delete', {}, { PhysicalResourceId: 'other-project:00000000-0000-0000-0000-000000000000' }),
      h.deps,
    );
    expect(h.calls).toEqual([]);
    expect(answers.map((a) => a.body.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });
});
