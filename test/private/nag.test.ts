import { CODEBUILD_LOG_STREAMS_FINDING, CODEBUILD_PER_BUILD_FINDINGS } from '../../src/private/nag';

/** cdk-nag's own reading of a regex `applies_to`: a string '/pattern/flags'. */
function matches(finding: { regex: string }, text: string): boolean {
  const [, pattern, flags] = /^\/(.*)\/([a-z]*)$/.exec(finding.regex)!;
  return new RegExp(pattern, flags).test(text);
}

describe('cdk-nag findings for CodeBuild per-build ARNs', () => {
  const logs = [
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<ImageProject1544FA78>:*',
    'Resource::arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group:/aws/codebuild/<ImageProject1544FA78>:*',
    'Resource::arn:aws-us-gov:logs:us-gov-west-1:111111111111:log-group:/aws/codebuild/StackGoSampleC578EAA3:*',
  ];
  const reports = [
    'Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<ImageProject1544FA78>-*',
    'Resource::arn:<AWS::Partition>:codebuild:eu-west-1:111111111111:report-group/<ImageProject1544FA78>-*',
  ];
  const others = [
    'Resource::*',
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/lambda/<Fn>:*',
    'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*',
    'Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/*',
    'Resource::arn:<AWS::Partition>:s3:::<Bucket>/*',
    'Action::logs:*',
  ];

  test.each(logs)('log streams: matches %s', (text) => {
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(true);
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(true);
  });

  test.each(reports)('reports: matches %s', (text) => {
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(true);
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(false);
  });

  test.each(others)('matches no other wildcard: %s', (text) => {
    expect(matches(CODEBUILD_LOG_STREAMS_FINDING, text)).toBe(false);
    expect(matches(CODEBUILD_PER_BUILD_FINDINGS, text)).toBe(false);
  });
});
