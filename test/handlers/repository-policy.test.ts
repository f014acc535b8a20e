import * as http from 'http';
import { AddressInfo } from 'net';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { AccessLevel, CrossAccountPullPolicy } from '../../src';
import { LOCK_TABLE_NAME } from '../../src/private/pull-policy/repository-policy-handler';
import { resolveIntrinsics } from '../support/policy-evaluator';

// Loaded untyped (the TypeScript source, as jest compiles it): the tests also send malformed events.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../../handlers/repository-policy');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('../../handlers/repository-policy/core');

const REPOSITORY_ARN = 'arn:aws:ecr:eu-west-1:999999999999:repository/shared/images';
const STACK_ID = 'arn:aws:cloudformation:eu-west-1:999999999999:stack/S/8c1f3f70-0000-11ef-0000-000000000001';
const LOGICAL_ID = 'PullRepositoryPolicy4A9CE2CC';
const LEGACY = 'CdkEcrCodebuildAAAA0000';
const OWNER = core.ownerSidPrefix(STACK_ID, LOGICAL_ID);
const ORG = 'o-a1b2c3d4e5';

const ACCOUNTS = {
  Sid: 'Accounts',
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  Condition: { StringEquals: { 'aws:PrincipalAccount': ['111111111111'] } },
};
const FOREIGN = {
  Sid: 'TheirStatement',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: 'ecr:BatchGetImage',
};

function event(requestType: string, statements: unknown[], extra: Record<string, any> = {}) {
  return {
    RequestType: requestType,
    RequestId: 'request-1',
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    ResponseURL: 'https://example.invalid/response',
    ResourceProperties: { ServiceToken: 'arn', RepositoryArn: REPOSITORY_ARN, Statements: statements },
    ...extra,
  };
}

describe('ownership', () => {
  test('the owner prefix is derived from stack id and logical id, alphanumeric, of a fixed length', () => {
    expect(OWNER).toMatch(/^CdkEcrCodebuildS[0-9A-F]{16}$/);
    expect(OWNER).toHaveLength(core.OWNER_PREFIX_CHARS);
    expect(core.ownerSidPrefix(STACK_ID, LOGICAL_ID)).toBe(OWNER);
    // the same construct path in another app, region or account: another stack id
    expect(core.ownerSidPrefix(STACK_ID.replace('eu-west-1', 'us-east-1'), LOGICAL_ID)).not.toBe(OWNER);
    expect(core.ownerSidPrefix(STACK_ID, 'OtherRepositoryPolicy')).not.toBe(OWNER);
  });

  test('owner prefixes never start with a prefix of the first Sid scheme, and no legacy Sid starts with them', () => {
    expect(OWNER.startsWith(LEGACY)).toBe(false);
    expect(/^CdkEcrCodebuild[0-9A-F]{8}/.test(OWNER)).toBe(false);
    expect(`${LEGACY}Accounts`.startsWith(OWNER)).toBe(false);
  });

  test('fails when the event has no StackId or LogicalResourceId', () => {
    expect(() => core.planEvent({ ...event('Create', [ACCOUNTS]), StackId: undefined })).toThrow(
      /no StackId or LogicalResourceId: it does not come from CloudFormation/,
    );
  });

  test('the construct and the handler agree on the lock table and the owner prefix length', () => {
    expect(core.LOCK_TABLE_NAME).toBe(LOCK_TABLE_NAME);
    expect(core.OWNER_PREFIX_CHARS).toBe(CrossAccountPullPolicy.SID_PREFIX.length + 1 + 16);
  });
});

describe('repository ARN', () => {
  test('parses and normalizes: a name import and an ARN import lock the same key', () => {
    const repo = core.parseRepositoryArn(` ${REPOSITORY_ARN} `);
    expect(repo).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      registryId: '999999999999',
      repositoryName: 'shared/images',
      arn: REPOSITORY_ARN,
    });
    expect(core.parseRepositoryArn('arn:aws-cn:ecr:cn-north-1:999999999999:repository/a').partition).toBe('aws-cn');
  });

  test('a repository imported by name in one stack and by ARN in another takes the same lock', () => {
    const keyOf = (importer: (stack: Stack) => ecr.IRepository) => {
      const stack = new Stack(new App(), 'Stack', { env: { account: '999999999999', region: 'eu-west-1' } });
      new CrossAccountPullPolicy(stack, 'Pull', { repository: importer(stack), accountIds: ['111111111111'] });
      const [resource] = Object.values(
        Template.fromStack(stack).findResources('Custom::CdkEcrCodebuildRepositoryPolicy'),
      );
      const arn = resolveIntrinsics(resource.Properties.RepositoryArn, { 'AWS::Partition': 'aws' });
      return core.parseRepositoryArn(arn).arn;
    };
    const byName = keyOf((stack) => ecr.Repository.fromRepositoryName(stack, 'R', 'shared/images'));
    const byArn = keyOf((stack) => ecr.Repository.fromRepositoryArn(stack, 'R', REPOSITORY_ARN));
    expect(byName).toBe(REPOSITORY_ARN);
    expect(byArn).toBe(byName);
  });

  test.each(['shared/images', 'arn:aws:ecr:eu-west-1:999999999999:repository/', 'arn:aws:s3:::bucket', '*'])(
    'fails when RepositoryArn is %s',
    (arn) => {
      expect(() => core.parseRepositoryArn(arn)).toThrow(/is not an ECR repository ARN/);
    },
  );
});

describe('planEvent', () => {
  test('create writes the statements under the owner prefix', () => {
    const plan = core.planEvent(event('Create', [ACCOUNTS]));
    expect(plan.statements).toEqual([{ ...ACCOUNTS, Sid: `${OWNER}Accounts` }]);
    expect(plan.removePrefixes).toEqual([OWNER]);
    expect(plan.physicalId).toBe(`999999999999/eu-west-1/shared/images/${OWNER}`);
  });

  test('update of the same repository removes the first-scheme statements and keeps the physical id', () => {
    const plan = core.planEvent(
      event('Update', [ACCOUNTS], {
        PhysicalResourceId: `999999999999/eu-west-1/shared/images/${LEGACY}`,
        OldResourceProperties: { RepositoryArn: REPOSITORY_ARN, SidPrefix: LEGACY, Statements: [] },
      }),
    );
    expect(plan.removePrefixes).toEqual([OWNER, LEGACY]);
    expect(plan.physicalId).toBe(`999999999999/eu-west-1/shared/images/${LEGACY}`);
  });

  test('update to another repository gets a new physical id and leaves the old one to the Delete', () => {
    const plan = core.planEvent(
      event('Update', [ACCOUNTS], {
        PhysicalResourceId: `999999999999/eu-west-1/old/${OWNER}`,
        OldResourceProperties: {
          RepositoryArn: 'arn:aws:ecr:eu-west-1:999999999999:repository/old',
          SidPrefix: LEGACY,
        },
      }),
    );
    expect(plan.physicalId).toBe(`999999999999/eu-west-1/shared/images/${OWNER}`);
    expect(plan.removePrefixes).toEqual([OWNER]);
  });

  test('an update rolled back to first-scheme properties writes them as they are and removes ours', () => {
    const plan = core.planEvent(
      event('Update', [], {
        PhysicalResourceId: `999999999999/eu-west-1/shared/images/${LEGACY}`,
        ResourceProperties: {
          RepositoryArn: REPOSITORY_ARN,
          SidPrefix: LEGACY,
          Statements: [{ ...ACCOUNTS, Sid: `${LEGACY}Accounts` }],
        },
        OldResourceProperties: { RepositoryArn: REPOSITORY_ARN, Statements: [ACCOUNTS] },
      }),
    );
    expect(plan.statements.map((s: any) => s.Sid)).toEqual([`${LEGACY}Accounts`]);
    expect(plan.removePrefixes).toEqual([OWNER, LEGACY]);
    expect(plan.physicalId).toBe(`999999999999/eu-west-1/shared/images/${LEGACY}`);
  });

  test('delete removes the owner statements, and the first scheme ones for a resource it created', () => {
    expect(core.planEvent(event('Delete', [], { PhysicalResourceId: `x/${OWNER}` })).removePrefixes).toEqual([OWNER]);
    expect(
      core.planEvent(event('Delete', [], { PhysicalResourceId: `999999999999/eu-west-1/shared/images/${LEGACY}` }))
        .removePrefixes,
    ).toEqual([OWNER, LEGACY]);
  });

  test('fails on an unknown request type or a malformed SidPrefix', () => {
    expect(() => core.planEvent(event('Replace', []))).toThrow(/unknown RequestType "Replace"/);
    const bad = event('Create', []);
    (bad.ResourceProperties as any).SidPrefix = 'Cdk';
    expect(() => core.planEvent(bad)).toThrow(/SidPrefix "Cdk" is not a Sid prefix of cdk-ecr-codebuild/);
  });
});

describe('defence in depth: only the shapes CrossAccountPullPolicy renders', () => {
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ['Principal "*" with ecr:*', { ...ACCOUNTS, Principal: '*', Action: 'ecr:*' }, /Principal "\*" is not/],
    ['ecr:* for the accounts', { ...ACCOUNTS, Action: 'ecr:*' }, /Action "ecr:\*" is not one of the ECR pull and push/],
    ['an action of another service', { ...ACCOUNTS, Action: ['ecr:BatchGetImage', 's3:GetObject'] }, /"s3:GetObject"/],
    ['ecr:SetRepositoryPolicy', { ...ACCOUNTS, Action: 'ecr:SetRepositoryPolicy' }, /"ecr:SetRepositoryPolicy"/],
    ['Principal AWS "*" without condition', { ...ACCOUNTS, Condition: undefined }, /it has no Condition/],
    [
      'a second condition that widens nothing but is not ours',
      { ...ACCOUNTS, Condition: { StringEquals: { 'aws:PrincipalAccount': '111111111111' }, Bool: { x: 'y' } } },
      /Condition operators are StringEquals, Bool, expected StringEquals/,
    ],
    [
      'a wildcard account',
      { ...ACCOUNTS, Condition: { StringEquals: { 'aws:PrincipalAccount': '*' } } },
      /aws:PrincipalAccount has "\*"/,
    ],
    [
      'StringLike on the account',
      { ...ACCOUNTS, Condition: { StringLike: { 'aws:PrincipalAccount': '1*' } } },
      /Condition operators are StringLike/,
    ],
    ['Effect Deny', { ...ACCOUNTS, Effect: 'Deny' }, /Effect is "Deny"/],
    ['a Resource', { ...ACCOUNTS, Resource: '*' }, /it has Resource/],
    ['NotAction', { ...ACCOUNTS, Action: undefined, NotAction: 'ecr:PutImage' }, /it has NotAction/],
    ['NotPrincipal', { ...ACCOUNTS, Principal: undefined, NotPrincipal: { AWS: '1' } }, /it has NotPrincipal/],
    ['an account principal', { ...ACCOUNTS, Principal: { AWS: 'arn:aws:iam::1:root' } }, /is not \{"AWS": "\*"\}/],
    ['an unknown Sid', { ...ACCOUNTS, Sid: 'Everyone' }, /Sid "Everyone": expected one of Accounts/],
    [
      'CodeBuild with push',
      {
        Sid: 'CodeBuild',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: ['ecr:BatchGetImage', 'ecr:PutImage'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:codebuild:eu-west-1:111111111111:project/p' },
        },
      },
      /"ecr:PutImage" is not one of the ECR pull actions/,
    ],
    [
      'CodeBuild for any project',
      {
        Sid: 'CodeBuild',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Action: ['ecr:BatchGetImage'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': 'arn:aws:codebuild:*:*:project/*' },
        },
      },
      /aws:SourceArn has "arn:aws:codebuild:\*:\*:project\/\*"/,
    ],
    [
      'Lambda without source condition',
      { Sid: 'Lambda', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'ecr:BatchGetImage' },
      /it has no Condition/,
    ],
    [
      'another service principal',
      { ...ACCOUNTS, Sid: 'Lambda', Principal: { Service: 'ec2.amazonaws.com' } },
      /is not \{"Service": "lambda.amazonaws.com"\}/,
    ],
  ];

  test.each(refused)('refuses %s with a clear reason', (_name, statement, reason) => {
    const json = JSON.parse(JSON.stringify(statement)); // drops undefined members
    expect(() => core.planEvent(event('Create', [json]))).toThrow(reason);
    expect(() => core.planEvent(event('Create', [json]))).toThrow(/shapes CrossAccountPullPolicy renders|expected/);
  });

  test('refuses two statements of one kind and a non-list', () => {
    expect(() => core.planEvent(event('Create', [ACCOUNTS, ACCOUNTS]))).toThrow(/two statements of kind Accounts/);
    expect(() => core.planEvent(event('Create', ACCOUNTS as any))).toThrow(/Statements must be a list/);
  });

  test('accepts every statement CrossAccountPullPolicy renders on an imported repository', () => {
    for (const accessLevel of [AccessLevel.PULL, AccessLevel.PULL_PUSH]) {
      const stack = new Stack(new App(), 'Stack', { env: { account: '999999999999', region: 'eu-west-1' } });
      new CrossAccountPullPolicy(stack, 'Pull', {
        repository: ecr.Repository.fromRepositoryName(stack, 'Imported', 'shared/images'),
        accountIds: ['111111111111', '222222222222'],
        organizationId: ORG,
        organizationalUnitPaths: [`${ORG}/r-ab12/ou-ab12-11111111/*`],
        codeBuildProjects: [codebuild.Project.fromProjectName(stack, 'Project', 'builder')],
        lambdaAccountIds: ['333333333333'],
        accessLevel,
      });
      const [resource] = Object.values(
        Template.fromStack(stack).findResources('Custom::CdkEcrCodebuildRepositoryPolicy'),
      );
      const { ServiceToken: _token, ...rendered } = resource.Properties;
      const properties = resolveIntrinsics(rendered, { 'AWS::Partition': 'aws' }) as Record<string, any>;

      const plan = core.planEvent({ ...event('Create', []), ResourceProperties: properties });

      expect(plan.repo.arn).toBe(REPOSITORY_ARN);
      expect(plan.statements.map((s: any) => s.Sid)).toEqual(
        ['Accounts', 'Organization', 'OrgPaths', 'CodeBuild', 'Lambda'].map((k) => OWNER + k),
      );
    }
  });
});

describe('merge and read-back check', () => {
  const ours = { ...ACCOUNTS, Sid: `${OWNER}Accounts` };

  test('replaces owned statements, keeps foreign ones, their order and the version', () => {
    const other = { ...ACCOUNTS, Sid: 'CdkEcrCodebuildS0000000000000000Accounts' }; // another owner's
    const current = { Version: '2008-10-17', Statement: [FOREIGN, { ...ours, Action: 'ecr:PutImage' }, other] };
    expect(core.mergePolicy(current, [OWNER], [ours])).toEqual({
      Version: '2008-10-17',
      Statement: [FOREIGN, other, ours],
    });
    expect(core.mergePolicy(undefined, [OWNER], [ours])).toEqual({ Version: '2012-10-17', Statement: [ours] });
  });

  test('a single Statement object (not a list) read from ECR is kept', () => {
    expect(core.parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN })).Statement).toEqual([
      FOREIGN,
    ]);
    expect(core.parsePolicy(undefined)).toBeUndefined();
  });

  test('the read-back check finds missing, altered and revived statements, and accepts reformatted ones', () => {
    const plan = { statements: [ours], removePrefixes: [OWNER, LEGACY] };
    const reformatted = {
      ...ours,
      Action: [...ours.Action].reverse(),
      Condition: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } },
    };
    expect(core.verifyPolicy({ Statement: [FOREIGN, reformatted] }, plan)).toEqual([]);
    expect(core.verifyPolicy(undefined, plan)).toEqual([`statement ${OWNER}Accounts is missing`]);
    expect(core.verifyPolicy({ Statement: [{ ...ours, Action: 'ecr:PutImage' }] }, plan)).toEqual([
      `statement ${OWNER}Accounts is not as written`,
    ]);
    expect(core.verifyPolicy({ Statement: [ours, { ...ours, Sid: `${LEGACY}Accounts` }] }, plan)).toEqual([
      `removed statement ${LEGACY}Accounts is still there`,
    ]);
  });

  test('fails when the merged policy would pass 10,240 characters', () => {
    const big = { ...FOREIGN, Condition: { StringEquals: { 'aws:PrincipalAccount': 'x'.repeat(10_200) } } };
    const policy = core.mergePolicy({ Statement: [big] }, [OWNER], [ours]);
    expect(() => core.policyTextOf(policy, core.parseRepositoryArn(REPOSITORY_ARN))).toThrow(
      /policy of repository shared\/images would be 10\d{3} characters long .* more than ECR's limit of 10240: grant an organization/,
    );
  });

  test('backoff is full jitter, capped', () => {
    expect(core.backoffDelay(0, 100, 3000, () => 0.999)).toBe(99);
    expect(core.backoffDelay(3, 100, 3000, () => 0.5)).toBe(400);
    expect(core.backoffDelay(10, 100, 3000, () => 0.999)).toBe(2997);
    expect(core.backoffDelay(10, 100, 3000, () => 0)).toBe(0);
  });
});

describe('endpoints', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('per-service endpoint variables win over AWS_ENDPOINT_URL, unless ignored', () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:1';
    process.env.AWS_ENDPOINT_URL_ECR = 'http://127.0.0.1:2';
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    expect(handlerModule.endpointFor('ECR')).toBe('http://127.0.0.1:2');
    expect(handlerModule.endpointFor('DYNAMODB')).toBe('http://127.0.0.1:1');
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    expect(handlerModule.endpointFor('ECR')).toBeUndefined();
  });
});

describe('a Delete of a resource whose Create was refused', () => {
  test('succeeds without touching anything when its properties were never valid', async () => {
    const result = await handlerModule.onEvent({
      ...event('Delete', []),
      PhysicalResourceId: 'failed-request-1',
      ResourceProperties: { RepositoryArn: 'not-an-arn', Statements: [] },
    });
    expect(result.PhysicalResourceId).toBe('failed-request-1');
    expect(result.stats.skipped).toMatch(/is not an ECR repository ARN/);
  });

  test('a Create with the same properties fails', async () => {
    await expect(
      handlerModule.onEvent({ ...event('Create', []), ResourceProperties: { RepositoryArn: 'not-an-arn' } }),
    ).rejects.toThrow(/RepositoryArn "not-an-arn" is not an ECR repository ARN/);
  });
});

describe('repository-policy handler: answering CloudFormation', () => {
  let server: http.Server;
  let url: string;
  const received: Array<{ method?: string; body: any }> = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ method: request.method, body: JSON.parse(body) });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?signature=x`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  test('sends SUCCESS with the physical id; the deadline leaves time to answer', async () => {
    // The entry point over a stand-in for onEvent (the handler is createHandler(onEvent)).
    const spy = jest.fn().mockResolvedValue({ PhysicalResourceId: 'pid', stats: {} });
    const before = Date.now();
    let deadline: number;
    try {
      await handlerModule.createHandler(spy)(
        { ...event('Create', [ACCOUNTS]), ResponseURL: url },
        { logStreamName: 'stream', getRemainingTimeInMillis: () => 300_000 },
      );
      deadline = (spy.mock.calls[0][1] as any).deadline;
    } finally {
      spy.mockRestore();
    }
    expect(deadline).toBeGreaterThanOrEqual(before + 285_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 285_000);
    expect(received).toEqual([
      {
        method: 'PUT',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'pid',
          RequestId: 'request-1',
          LogicalResourceId: LOGICAL_ID,
          StackId: STACK_ID,
        }),
      },
    ]);
  });

  test('sends FAILED with the reason and the log stream when onEvent throws', async () => {
    const spy = jest.fn().mockRejectedValue(new Error('AccessDenied on SetRepositoryPolicy'));
    const consoleSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await handlerModule.createHandler(spy)(
        { ...event('Create', [ACCOUNTS]), ResponseURL: url },
        { logStreamName: 'stream-1' },
      );
    } finally {
      spy.mockRestore();
      consoleSpy.mockRestore();
    }
    expect(received[0].body).toMatchObject({
      Status: 'FAILED',
      Reason: 'AccessDenied on SetRepositoryPolicy (log stream stream-1)',
      PhysicalResourceId: 'failed-request-1',
    });
  });

  test('a refused statement is answered FAILED with the reason', async () => {
    const consoleSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await handlerModule.handler(
        { ...event('Create', [{ ...ACCOUNTS, Principal: '*', Action: 'ecr:*' }]), ResponseURL: url },
        {},
      );
    } finally {
      consoleSpy.mockRestore();
    }
    expect(received[0].body.Status).toBe('FAILED');
    expect(received[0].body.Reason).toMatch(
      /statement 1 \(Accounts\) is refused: Principal "\*" is not \{"AWS": "\*"\}/,
    );
  });
});
