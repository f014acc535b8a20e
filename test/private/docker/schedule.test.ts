import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as events from 'aws-cdk-lib/aws-events';
import { DockerBuildToEcr, DockerBuildToEcrProps, ImagePlatform } from '../../../src';
import { gitBranchProblem, scheduleExpressionProblem } from '../../../src/private/docker/schedule';

function build(props: Partial<DockerBuildToEcrProps>, stack = new Stack(new App(), 'Stack')): DockerBuildToEcr {
  return new DockerBuildToEcr(stack, 'Image', {
    source: codebuild.Source.gitHub({ owner: 'o', repo: 'r' }),
    ...props,
  });
}

// EventBridge user guide, "Creating a rule that runs on a schedule":
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
describe('rebuildSchedule: what EventBridge takes', () => {
  test.each([
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
    'cron(0 3 * * ? *)',
    'cron(0/15 * ? * MON-FRI *)',
    'cron(30 2 ? * SUN#1 *)',
    'cron(0 12 L * ? 2026-2030)',
    'cron(59 23 31 12 ? 2199)',
    'cron(0 0 1,15 JAN,JUL ? *)',
    'cron(0 8 ? * 6L *)',
    'cron(0 8 15W * ? *)',
  ])('accepts %s', (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  test.each([
    ['rate(0 days)', 'has a rate of 0'],
    ['rate(1 days)', 'has the unit "days" for 1 (EventBridge takes the singular: day)'],
    ['rate(1 minutes)', 'for 1'],
    ['rate(2 hour)', 'has the unit "hour" for 2 (EventBridge takes the plural: hours)'],
    ['rate(30 seconds)', 'has the unit "seconds"'],
    ['rate(-1 days)', 'is not rate(<number> <unit>)'],
    ['rate(1.5 hours)', 'is not rate(<number> <unit>)'],
    ['cron(0 3 * * *)', 'has 5 cron fields'],
    ['cron(0 0 3 * * ? *)', 'has 7 cron fields'],
    ['cron(0 3 * * * *)', 'needs "?" in exactly one of day-of-month and day-of-week'],
    ['cron(0 3 ? * ? *)', 'needs "?" in exactly one'],
    ['cron(60 3 * * ? *)', 'has the minutes field "60" (EventBridge takes 0-59)'],
    ['cron(0 24 * * ? *)', 'has the hours field "24"'],
    ['cron(0 3 0 * ? *)', 'has the day-of-month field "0"'],
    ['cron(0 3 * 13 ? *)', 'has the month field "13"'],
    ['cron(0 3 ? * 8 *)', 'has the day-of-week field "8"'],
    ['cron(0 3 * * ? 1969)', 'has the year field "1969"'],
    ['cron(0/x 3 * * ? *)', 'a step is a whole number'],
    ['at(2026-12-01T00:00:00)', 'is neither rate(...) nor cron(...)'],
  ])('fails when the expression is %s', (expression, problem) => {
    expect(scheduleExpressionProblem(expression)).toContain(problem);
  });

  test('fails at synth with the library format, naming rebuildSchedule', () => {
    expect(() => build({ rebuildSchedule: events.Schedule.expression('cron(0 3 * * *)') })).toThrow(
      /^\[Stack\/Image\] DockerBuildToEcr: rebuildSchedule "cron\(0 3 \* \* \*\)" has 5 cron fields .* which EventBridge refuses: use events\.Schedule\.rate/,
    );
  });

  test('the schedules events.Schedule builds pass', () => {
    for (const schedule of [
      events.Schedule.rate(Duration.days(1)),
      events.Schedule.rate(Duration.minutes(1)),
      events.Schedule.rate(Duration.hours(6)),
      events.Schedule.cron({ minute: '0', hour: '3' }),
      events.Schedule.cron({ minute: '0', hour: '3', weekDay: 'MON' }),
    ]) {
      expect(scheduleExpressionProblem(schedule.expressionString)).toBeUndefined();
    }
  });

  test('a deploy-time expression is not checked', () => {
    const stack = new Stack(new App(), 'Stack');
    const expression = new CfnParameter(stack, 'Schedule').valueAsString;
    expect(() => build({ rebuildSchedule: events.Schedule.expression(expression) }, stack)).not.toThrow();
  });
});

// git check-ref-format: https://git-scm.com/docs/git-check-ref-format
describe('releaseBranch: what git takes as a branch name', () => {
  test.each(['main', 'release/2.x', 'feature/a.b', 'v1.0', 'a-b_c', 'x.lockfile', 'lock'])('accepts %s', (branch) => {
    expect(gitBranchProblem(branch)).toBeUndefined();
    expect(() => build({ releaseBranch: branch })).not.toThrow();
  });

  test.each([
    ['.hidden', 'has a part that begins with "." (.hidden)'],
    ['release/.x', 'has a part that begins with "." (.x)'],
    ['main.lock', 'has a part that ends with ".lock" (main.lock)'],
    ['release/x.lock/y', 'has a part that ends with ".lock" (x.lock)'],
    ['release/', 'begins or ends with "/"'],
    ['/main', 'begins or ends with "/"'],
    ['a//b', 'has an empty part ("//")'],
    ['main.', 'ends with "."'],
    ['a..b', 'has ".."'],
    ['-main', 'begins with "-"'],
  ])('fails when releaseBranch is %j', (branch, problem) => {
    expect(gitBranchProblem(branch)).toBe(problem);
    expect(() => build({ releaseBranch: branch })).toThrow(
      `[Stack/Image] DockerBuildToEcr: releaseBranch ${JSON.stringify(branch)} ${problem}, which git refuses in a branch name (git check-ref-format): give the name of an existing branch`,
    );
  });
});

describe('rebuildSchedule of a multi-platform (batch) project', () => {
  // A plain build of a batch project stops ("start it as a batch build"): the schedule must start a batch.
  // EventBridge Scheduler universal targets: https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
  test('an EventBridge Scheduler schedule starts a batch build, through a role that may do exactly that', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    build(
      {
        platforms: [ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        rebuildSchedule: events.Schedule.rate(Duration.days(7)),
      },
      stack,
    );
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Events::Rule', 0);
    const [projectId] = Object.keys(template.findResources('AWS::CodeBuild::Project'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(7 days)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:codebuild:startBuildBatch']],
        },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImageRebuildScheduleRole'), 'Arn'] },
        Input: { 'Fn::Join': ['', ['{"ProjectName":"', { Ref: projectId }, '"}']] },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          },
        ],
      },
    });
    const [role] = Object.entries(template.findResources('AWS::IAM::Role'))
      .filter(([id]) => id.startsWith('ImageRebuildScheduleRole'))
      .map(([, r]) => r);
    expect(role.Properties.Policies).toEqual([
      {
        PolicyName: 'StartBatch',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Action: 'codebuild:StartBuildBatch', Effect: 'Allow', Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } },
          ],
        },
      },
    ]);
    template.resourcePropertiesCountIs(
      'AWS::IAM::Policy',
      { Roles: [{ Ref: Match.stringLikeRegexp('^ImageRebuildScheduleRole') }] },
      0,
    );
  });

  test('a single-platform project keeps the EventBridge rule with the CodeBuild target', () => {
    const stack = new Stack(new App(), 'Stack');
    build({ rebuildSchedule: events.Schedule.rate(Duration.days(7)) }, stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    template.resourceCountIs('AWS::Events::Rule', 1);
  });
});
