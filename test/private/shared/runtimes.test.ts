import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  handlerNodeRuntime,
  isNewestKnownRuntime,
  newestKnownRuntime,
  raisedRuntimeFor,
} from '../../../src/private/shared/runtimes';

// cdk-nag's AwsSolutions-L1 compares a function's runtime with the newest of its family in the user's
// aws-cdk-lib (`lambda.Runtime.ALL`); Lambda's runtime deprecation table ("Block function create")
// says which runtimes Lambda no longer creates functions on. These tests run on the aws-cdk-lib of the
// repository (the floor, 2.177: nodejs22.x and python3.13 are its newest).
describe('runtimes', () => {
  test("the handlers run on the newest Node.js of the user's aws-cdk-lib (2.177: nodejs22.x)", () => {
    expect(handlerNodeRuntime().name).toBe('nodejs22.x');
    expect(isNewestKnownRuntime(handlerNodeRuntime().name)).toBe(true);
  });

  test("a runtime the aws-cdk-lib in use learns later becomes the handlers' runtime", () => {
    // GIVEN an aws-cdk-lib that knows a newer Node.js (every `new Runtime` joins Runtime.ALL)
    const future = new lambda.Runtime('nodejs98.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
    try {
      // THEN
      expect(handlerNodeRuntime()).toBe(future);
      expect(newestKnownRuntime('nodejs20.x')).toBe('nodejs98.x');
    } finally {
      lambda.Runtime.ALL.splice(lambda.Runtime.ALL.indexOf(future), 1);
    }
  });

  test('versions compare as numbers (python3.13 is newer than python3.9)', () => {
    expect(newestKnownRuntime('python3.9')).toBe('python3.13');
    expect(isNewestKnownRuntime('python3.9')).toBe(false);
    expect(newestKnownRuntime('java17')).toBe('java21');
    expect(newestKnownRuntime('no-such-runtime')).toBeUndefined();
  });

  test.each([
    ['nodejs20.x', 'nodejs22.x'],
    ['nodejs18.x', 'nodejs22.x'],
    ['python3.11', 'python3.13'],
    ['python3.9', 'python3.13'],
  ])('an aws-cdk-lib function on %s (Lambda no longer creates functions on it) is raised to %s', (current, raised) => {
    expect(raisedRuntimeFor(current)).toBe(raised);
  });

  test.each(['nodejs22.x', 'nodejs24.x', 'python3.12', 'python3.13', 'python3.14', 'java21', 'provided.al2023'])(
    'a runtime Lambda still creates functions on (%s) is never changed, so never lowered',
    (current) => {
      expect(raisedRuntimeFor(current)).toBeUndefined();
    },
  );
});
