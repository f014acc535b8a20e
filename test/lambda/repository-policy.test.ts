import * as http from 'http';
import { AddressInfo } from 'net';
import {
  DeleteRepositoryPolicyCommand,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';

// The handler is plain CommonJS JavaScript (no build step), loaded as Lambda loads it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../../lambda/repository-policy');

const REPOSITORY_ARN = 'arn:aws:ecr:eu-west-1:999999999999:repository/shared/images';
const PREFIX = 'CdkEcrCodebuildAAAA0000';
const FOREIGN = {
  Sid: 'TheirStatement',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: 'ecr:BatchGetImage',
};
const OURS = {
  Sid: `${PREFIX}Accounts`,
  Effect: 'Allow',
  Principal: { AWS: '*' },
  Action: ['ecr:BatchGetImage'],
  Condition: { StringEquals: { 'aws:PrincipalAccount': ['111111111111'] } },
};

function notFound(name: string): Error {
  const error = new Error(`${name} happened`);
  error.name = name;
  return error;
}

/** An ECR client whose `send` serves one repository policy from memory. */
function fakeEcr(initial?: { Version?: string; Statement: unknown[] } | string) {
  let policyText: string | undefined = typeof initial === 'string' ? initial : initial && JSON.stringify(initial);
  const send = jest.fn(async (command: unknown) => {
    if (command instanceof GetRepositoryPolicyCommand) {
      if (policyText === undefined) {
        throw notFound('RepositoryPolicyNotFoundException');
      }
      return { policyText };
    }
    if (command instanceof SetRepositoryPolicyCommand) {
      policyText = command.input.policyText;
      return {};
    }
    if (command instanceof DeleteRepositoryPolicyCommand) {
      if (policyText === undefined) {
        throw notFound('RepositoryPolicyNotFoundException');
      }
      policyText = undefined;
      return {};
    }
    throw new Error(`unexpected command ${(command as object).constructor.name}`);
  });
  return { send, policy: () => (policyText === undefined ? undefined : JSON.parse(policyText)) };
}

function event(requestType: string, statements: unknown[], extra: Record<string, unknown> = {}) {
  return {
    RequestType: requestType,
    RequestId: 'request-1',
    StackId: 'arn:aws:cloudformation:eu-west-1:999999999999:stack/S/1',
    LogicalResourceId: 'PullRepositoryPolicy',
    ResponseURL: 'https://example.invalid/response',
    ResourceProperties: {
      ServiceToken: 'arn',
      RepositoryArn: REPOSITORY_ARN,
      SidPrefix: PREFIX,
      Statements: statements,
    },
    ...extra,
  };
}

describe('repository-policy handler: onEvent', () => {
  test('create on a repository without policy writes only our statements', async () => {
    const ecr = fakeEcr();
    const result = await handlerModule.onEvent(event('Create', [OURS]), ecr);

    expect(result.PhysicalResourceId).toBe(`999999999999/eu-west-1/shared/images/${PREFIX}`);
    expect(ecr.policy()).toEqual({ Version: '2012-10-17', Statement: [OURS] });
    const set = ecr.send.mock.calls
      .map(([c]) => c)
      .find((c) => c instanceof SetRepositoryPolicyCommand) as SetRepositoryPolicyCommand;
    expect(set.input).toMatchObject({ registryId: '999999999999', repositoryName: 'shared/images' });
  });

  test('create keeps foreign statements, their order and the policy version', async () => {
    const ecr = fakeEcr({ Version: '2008-10-17', Statement: [FOREIGN] });
    await handlerModule.onEvent(event('Create', [OURS]), ecr);
    expect(ecr.policy()).toEqual({ Version: '2008-10-17', Statement: [FOREIGN, OURS] });
  });

  test('a single Statement object (not an array) in the current policy is kept', async () => {
    const ecr = fakeEcr(JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN }));
    await handlerModule.onEvent(event('Create', [OURS]), ecr);
    expect(ecr.policy().Statement).toEqual([FOREIGN, OURS]);
  });

  test('update replaces our statements, including those of the old Sid prefix, and nothing else', async () => {
    const oldPrefix = 'CdkEcrCodebuildBBBB1111';
    const other = { ...OURS, Sid: 'CdkEcrCodebuildCCCC2222Accounts' }; // another instance's statement
    const ecr = fakeEcr({
      Version: '2012-10-17',
      Statement: [FOREIGN, { ...OURS, Sid: `${oldPrefix}Accounts` }, other],
    });
    const updated = { ...OURS, Action: ['ecr:BatchGetImage', 'ecr:PutImage'] };

    await handlerModule.onEvent(
      event('Update', [updated], {
        PhysicalResourceId: 'old-id',
        OldResourceProperties: { RepositoryArn: REPOSITORY_ARN, SidPrefix: oldPrefix, Statements: [] },
      }),
      ecr,
    );
    expect(ecr.policy().Statement).toEqual([FOREIGN, other, updated]);
  });

  test('update to another repository leaves the old one to the Delete that CloudFormation sends', async () => {
    const ecr = fakeEcr({ Version: '2012-10-17', Statement: [{ ...OURS, Sid: 'CdkEcrCodebuildBBBB1111Accounts' }] });
    const result = await handlerModule.onEvent(
      event('Update', [OURS], {
        PhysicalResourceId: 'old-id',
        OldResourceProperties: {
          RepositoryArn: 'arn:aws:ecr:eu-west-1:999999999999:repository/old',
          SidPrefix: 'CdkEcrCodebuildBBBB1111',
        },
      }),
      ecr,
    );
    expect(result.PhysicalResourceId).not.toBe('old-id');
    expect(ecr.policy().Statement.map((s: any) => s.Sid)).toEqual(['CdkEcrCodebuildBBBB1111Accounts', OURS.Sid]);
  });

  test('delete removes only our statements', async () => {
    const ecr = fakeEcr({ Version: '2012-10-17', Statement: [FOREIGN, OURS] });
    const result = await handlerModule.onEvent(event('Delete', [OURS], { PhysicalResourceId: 'the-id' }), ecr);
    expect(result.PhysicalResourceId).toBe('the-id');
    expect(ecr.policy()).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  });

  test('delete of our last statements deletes the policy', async () => {
    const ecr = fakeEcr({ Version: '2012-10-17', Statement: [OURS] });
    await handlerModule.onEvent(event('Delete', [OURS], { PhysicalResourceId: 'the-id' }), ecr);
    expect(ecr.policy()).toBeUndefined();
    expect(ecr.send.mock.calls.some(([c]) => c instanceof DeleteRepositoryPolicyCommand)).toBe(true);
  });

  test('delete without policy or without repository succeeds and writes nothing', async () => {
    const ecr = fakeEcr();
    await handlerModule.onEvent(event('Delete', [OURS], { PhysicalResourceId: 'the-id' }), ecr);
    expect(ecr.send).toHaveBeenCalledTimes(1);

    const gone = { send: jest.fn(async () => Promise.reject(notFound('RepositoryNotFoundException'))) };
    await expect(
      handlerModule.onEvent(event('Delete', [OURS], { PhysicalResourceId: 'the-id' }), gone),
    ).resolves.toEqual({
      PhysicalResourceId: 'the-id',
    });
  });

  test('create fails when the repository does not exist', async () => {
    const gone = { send: jest.fn(async () => Promise.reject(notFound('RepositoryNotFoundException'))) };
    await expect(handlerModule.onEvent(event('Create', [OURS]), gone)).rejects.toThrow(
      /RepositoryNotFoundException happened/,
    );
  });

  test('fails when the merged policy would pass 10,240 characters, and writes nothing', async () => {
    const big = { ...FOREIGN, Sid: 'Big', Condition: { StringEquals: { 'aws:PrincipalAccount': 'x'.repeat(10_200) } } };
    const ecr = fakeEcr({ Version: '2012-10-17', Statement: [big] });
    await expect(handlerModule.onEvent(event('Create', [OURS]), ecr)).rejects.toThrow(
      /policy of repository shared\/images would be 10,?\d{3} characters long .* more than ECR's limit of 10240: grant an organization/,
    );
    expect(ecr.policy().Statement).toEqual([big]);
  });

  test('refuses statements whose Sid it does not own, and bad properties', async () => {
    const ecr = fakeEcr();
    await expect(handlerModule.onEvent(event('Create', [FOREIGN]), ecr)).rejects.toThrow(
      /has no Sid starting with "CdkEcrCodebuildAAAA0000"/,
    );
    const badArn = event('Create', [OURS]);
    badArn.ResourceProperties.RepositoryArn = 'shared/images';
    await expect(handlerModule.onEvent(badArn, ecr)).rejects.toThrow(
      /RepositoryArn "shared\/images" is not an ECR repository ARN/,
    );
    const badPrefix = event('Create', []);
    badPrefix.ResourceProperties.SidPrefix = 'Cdk';
    await expect(handlerModule.onEvent(badPrefix, ecr)).rejects.toThrow(/SidPrefix "Cdk" is missing or too short/);
    expect(ecr.send).not.toHaveBeenCalled();
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

  test('sends SUCCESS with the physical id', async () => {
    const spy = jest.spyOn(handlerModule, 'onEvent').mockResolvedValue({ PhysicalResourceId: 'pid' });
    try {
      await handlerModule.handler({ ...event('Create', [OURS]), ResponseURL: url }, { logStreamName: 'stream' });
    } finally {
      spy.mockRestore();
    }
    expect(received).toEqual([
      {
        method: 'PUT',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          PhysicalResourceId: 'pid',
          RequestId: 'request-1',
          LogicalResourceId: 'PullRepositoryPolicy',
          StackId: 'arn:aws:cloudformation:eu-west-1:999999999999:stack/S/1',
        }),
      },
    ]);
  });

  test('sends FAILED with the reason and the log stream when onEvent throws', async () => {
    const spy = jest
      .spyOn(handlerModule, 'onEvent')
      .mockRejectedValue(new Error('AccessDenied on SetRepositoryPolicy'));
    const consoleSpy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await handlerModule.handler({ ...event('Create', [OURS]), ResponseURL: url }, { logStreamName: 'stream-1' });
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
});
