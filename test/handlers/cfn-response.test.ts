// The response CloudFormation takes from a custom resource is at most 4 KB (the whole JSON body):
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-responses.html
import { CfnRequest, MAX_RESPONSE_BYTES, responseBody } from '../../handlers/shared/cfn-response';

const REQUEST: CfnRequest = {
  RequestType: 'Create',
  RequestId: '6c5f4e1a-0000-4000-8000-000000000000',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/Stack/0b6f7c2e-1111-4222-8333-000000000001',
  LogicalResourceId: 'ImageBuildOnDeployBuild1234ABCD',
  ResponseURL: 'https://example.invalid/response',
};

const LINKS =
  ' (console: https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/111111111111/projects/app/build/app%3A1/?region=eu-west-1;' +
  ' logs: https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEvent:group=/aws/codebuild/app;stream=1)';

function failed(reason: string): string {
  return responseBody(REQUEST, { Status: 'FAILED', Reason: reason, PhysicalResourceId: 'build-1' });
}

describe('responseBody', () => {
  test('a short reason is sent whole', () => {
    const reason = `Build app:1 ended with FAILED in phase BUILD: exit 1${LINKS}`;
    expect(JSON.parse(failed(reason)).Reason).toBe(reason);
  });

  test.each([
    ['the ~5.4k-character build command', 'x'.repeat(5400)],
    ['a 20k message with quotes and newlines (JSON escapes)', '"\n\\'.repeat(7000)],
    ['multibyte characters (UTF-8 bytes, not characters)', 'é✓'.repeat(3000)],
  ])('a failure in %s keeps its start and the console and log links, within 4 KB', (_what, message) => {
    const reason = `Build app:1 ended with FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: ${message}${LINKS}`;
    const body = failed(reason);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const sent = JSON.parse(body).Reason as string;
    expect(sent.startsWith('Build app:1 ended with FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: ')).toBe(true);
    expect(sent.endsWith(LINKS)).toBe(true);
    expect(sent).toMatch(/ \[…\d+ characters cut…\] \(console: /);
    // the body is filled: no more than a few bytes left unused
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_RESPONSE_BYTES - 16);
  });

  test('a long reason without links keeps its start and its last 600 characters', () => {
    const reason = 'a'.repeat(3000) + 'b'.repeat(3000);
    const body = failed(reason);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const sent = JSON.parse(body).Reason as string;
    expect(sent.startsWith('aaa')).toBe(true);
    expect(sent.endsWith('b'.repeat(600))).toBe(true);
  });

  test('links longer than the room: the last 600 characters are kept', () => {
    const reason = `Build failed: ${'m'.repeat(100)} (console: ${'u'.repeat(6000)})`;
    const body = failed(reason);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect((JSON.parse(body).Reason as string).endsWith(`${'u'.repeat(599)})`)).toBe(true);
  });

  test('success without a reason', () => {
    expect(JSON.parse(responseBody(REQUEST, { Status: 'SUCCESS', PhysicalResourceId: 'p', Data: { A: '1' } }))).toEqual(
      {
        Status: 'SUCCESS',
        PhysicalResourceId: 'p',
        StackId: REQUEST.StackId,
        RequestId: REQUEST.RequestId,
        LogicalResourceId: REQUEST.LogicalResourceId,
        NoEcho: false,
        Data: { A: '1' },
      },
    );
  });
});
