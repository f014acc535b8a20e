import {
  CreateRepositoryCommand,
  ECRClient,
  GetRepositoryPolicyCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { motoClientConfig, MotoServer, startMoto } from './support/moto-server';

/**
 * The custom resource handler of CrossAccountPullPolicy against moto's ECR API: a repository
 * holding a foreign statement keeps it through create, update and delete.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const handlerModule = require('../lambda/repository-policy');

const REGION = 'eu-west-1';
const PREFIX = 'CdkEcrCodebuild0123ABCD';
const FOREIGN = {
  Sid: 'KeepMe',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444444444444:root' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
};

function statement(suffix: string, accounts: string[], actions = ['ecr:BatchGetImage']) {
  return {
    Sid: `${PREFIX}${suffix}`,
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: actions,
    Condition: { StringEquals: { 'aws:PrincipalAccount': accounts } },
  };
}

describe('repository-policy handler against moto', () => {
  let moto: MotoServer | undefined;
  let ecr: ECRClient;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    moto = await startMoto();
    process.env.AWS_ACCESS_KEY_ID = 'testing';
    process.env.AWS_SECRET_ACCESS_KEY = 'testing';
    process.env.AWS_SESSION_TOKEN = 'testing';
    process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
    ecr = new ECRClient(motoClientConfig(moto.endpoint, REGION));
  }, 60_000);

  afterAll(async () => {
    process.env = savedEnv;
    ecr?.destroy();
    await moto?.stop();
  }, 30_000);

  async function createRepository(name: string): Promise<string> {
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    return created.repository!.repositoryArn!;
  }

  async function policyOf(name: string): Promise<any | undefined> {
    try {
      const response = await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }));
      return JSON.parse(response.policyText!);
    } catch (error: any) {
      if (error.name === 'RepositoryPolicyNotFoundException') {
        return undefined;
      }
      throw error;
    }
  }

  function cfnEvent(
    requestType: string,
    repositoryArn: string,
    statements: unknown[],
    extra: Record<string, unknown> = {},
  ) {
    return {
      RequestType: requestType,
      RequestId: 'r',
      StackId: 's',
      LogicalResourceId: 'l',
      ResponseURL: 'https://example.invalid',
      ResourceProperties: { RepositoryArn: repositoryArn, SidPrefix: PREFIX, Statements: statements },
      ...extra,
    };
  }

  test('a foreign statement survives create, update and delete', async () => {
    // GIVEN a repository whose policy holds someone else's statement
    const arn = await createRepository('shared/with-policy');
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: 'shared/with-policy',
        policyText: JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }),
      }),
    );

    // WHEN created (the handler builds its own client from the region and AWS_ENDPOINT_URL_ECR)
    const created = await handlerModule.onEvent(cfnEvent('Create', arn, [statement('Accounts', ['111111111111'])]));
    // THEN
    expect((await policyOf('shared/with-policy')).Statement).toEqual([
      FOREIGN,
      statement('Accounts', ['111111111111']),
    ]);

    // WHEN updated
    const updatedStatements = [
      statement('Accounts', ['111111111111', '222222222222']),
      statement('Organization', ['333333333333'], ['ecr:BatchGetImage', 'ecr:PutImage']),
    ];
    await handlerModule.onEvent(
      cfnEvent('Update', arn, updatedStatements, {
        PhysicalResourceId: created.PhysicalResourceId,
        OldResourceProperties: cfnEvent('Create', arn, []).ResourceProperties,
      }),
    );
    // THEN
    expect((await policyOf('shared/with-policy')).Statement).toEqual([FOREIGN, ...updatedStatements]);

    // WHEN deleted
    await handlerModule.onEvent(
      cfnEvent('Delete', arn, updatedStatements, { PhysicalResourceId: created.PhysicalResourceId }),
    );
    // THEN
    expect(await policyOf('shared/with-policy')).toEqual({ Version: '2012-10-17', Statement: [FOREIGN] });
  });

  test('a repository without policy gets one, and loses it again on delete', async () => {
    const arn = await createRepository('shared/no-policy');
    expect(await policyOf('shared/no-policy')).toBeUndefined();

    const created = await handlerModule.onEvent(cfnEvent('Create', arn, [statement('Accounts', ['111111111111'])]));
    expect(await policyOf('shared/no-policy')).toEqual({
      Version: '2012-10-17',
      Statement: [statement('Accounts', ['111111111111'])],
    });

    await handlerModule.onEvent(cfnEvent('Delete', arn, [], { PhysicalResourceId: created.PhysicalResourceId }));
    expect(await policyOf('shared/no-policy')).toBeUndefined();
  });

  test('deleting from a repository that is gone succeeds', async () => {
    const arn = arnOf('never/created');
    await expect(handlerModule.onEvent(cfnEvent('Delete', arn, [], { PhysicalResourceId: 'x' }))).resolves.toEqual({
      PhysicalResourceId: 'x',
    });
  });

  function arnOf(name: string): string {
    return `arn:aws:ecr:${REGION}:123456789012:repository/${name}`;
  }
});
