import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  checkCredentialsGiven,
  checkCredentialsSecret,
  MAX_SECRET_NAME_LENGTH,
  SECRET_NAME_PREFIX,
  UPSTREAMS_WITH_CREDENTIALS,
} from '../../../src/private/registry/secrets';

/** The construct whose prop is checked: only its path and class name reach the messages. */
class Registry extends Construct {}

function setup() {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
  return { stack, scope: new Registry(stack, 'Registry') };
}

describe('checkCredentialsGiven', () => {
  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html
  // Docker Hub, Microsoft Azure Container Registry, GitHub Container Registry, GitLab Container
  // Registry and Chainguard Registry require authentication with a Secrets Manager secret; Amazon ECR
  // Public, the Kubernetes container image registry and Quay don't.
  test.each(Object.entries(UPSTREAMS_WITH_CREDENTIALS))('fails for %s (%s) without a secret', (type, name) => {
    const { scope } = setup();
    expect(() => checkCredentialsGiven(scope, 'credentials', type, undefined)).toThrow(
      new RegExp(`credentials \\(undefined\\) leaves ${name} without credentials`),
    );
    // JavaScript callers can pass null.
    expect(() => checkCredentialsGiven(scope, 'credentials', type, null as any)).toThrow(/credentials null leaves/);
  });

  test.each(['ecr-public', 'quay', 'k8s'])('accepts %s without a secret', (type) => {
    const { scope } = setup();
    expect(() => checkCredentialsGiven(scope, 'credentials', type, undefined)).not.toThrow();
  });

  test('accepts a secret', () => {
    const { stack, scope } = setup();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'S', `${SECRET_NAME_PREFIX}hub`);
    expect(() => checkCredentialsGiven(scope, 'credentials', 'docker-hub', secret)).not.toThrow();
  });
});

describe('checkCredentialsSecret', () => {
  function check(name: string) {
    const { stack, scope } = setup();
    return () => checkCredentialsSecret(scope, 'hub', secretsmanager.Secret.fromSecretNameV2(stack, 'Secret', name));
  }

  // https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-creating-rule.html
  // The name of the secret begins with ecr-pullthroughcache/.
  test.each([
    ['hub', 'no prefix'],
    ['ecr-pullthroughcache', 'the prefix without its "/"'],
    [SECRET_NAME_PREFIX, 'the prefix alone'],
    ['ECR-PULLTHROUGHCACHE/hub', 'the prefix in another case'],
  ])('fails for %s (%s)', (name) => {
    expect(check(name)).toThrow(/does not start with "ecr-pullthroughcache\/", which ECR requires/);
  });

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
  // Name: 1-512 characters; ASCII letters, numbers and /_+=.@- (also the characters ECR's
  // credentialArn pattern takes after ecr-pullthroughcache/, API_CreatePullThroughCacheRule.html).
  test.each([
    [`${SECRET_NAME_PREFIX}a`, 'one character after the prefix'],
    [`${SECRET_NAME_PREFIX}team/hub_1+x=y.z@w-v`, 'every character Secrets Manager takes'],
    [`${SECRET_NAME_PREFIX}${'a'.repeat(MAX_SECRET_NAME_LENGTH - SECRET_NAME_PREFIX.length)}`, 'the longest (512)'],
  ])('accepts %s (%s)', (name) => {
    expect(check(name)).not.toThrow();
  });

  test.each([
    [`${SECRET_NAME_PREFIX}docker hub`, '" "'],
    [`${SECRET_NAME_PREFIX}hub#1`, '"#"'],
    [`${SECRET_NAME_PREFIX}hüb`, '"ü"'],
    [`${SECRET_NAME_PREFIX}a:b,c`, '":", ","'],
  ])('fails for %s (has %s)', (name, chars) => {
    expect(check(name)).toThrow(
      new RegExp(
        `has ${chars.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which Secrets Manager does not take in a secret name`,
      ),
    );
  });

  test('fails for a name of 513 characters', () => {
    const name = `${SECRET_NAME_PREFIX}${'a'.repeat(MAX_SECRET_NAME_LENGTH + 1 - SECRET_NAME_PREFIX.length)}`;
    expect(check(name)).toThrow(/has 513 characters: use a secret name of at most 512 characters$/);
  });

  test('the message is in the propError format', () => {
    expect(check(`${SECRET_NAME_PREFIX}docker hub`)).toThrow(
      /^\[Stack\/Registry\] Registry: upstream credentials "ecr-pullthroughcache\/docker hub" \(secret Stack\/Secret, rule "hub"\) has " ", which Secrets Manager does not take in a secret name \(and ECR's credentialArn does not match\): use ASCII letters, digits and \/ _ \+ = \. @ - only$/,
    );
  });
});
