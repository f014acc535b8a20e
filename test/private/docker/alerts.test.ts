import { scanFindingsPattern, severitiesAtOrAbove } from '../../../src/private/docker/alerts';
import { FindingSeverity } from '../../../src/scan-findings';

describe('severitiesAtOrAbove', () => {
  test.each<[FindingSeverity, string[]]>([
    [FindingSeverity.CRITICAL, ['CRITICAL']],
    [FindingSeverity.HIGH, ['HIGH', 'CRITICAL']],
    [FindingSeverity.MEDIUM, ['MEDIUM', 'HIGH', 'CRITICAL']],
    [FindingSeverity.LOW, ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']],
  ])('%s', (min, expected) => {
    expect(severitiesAtOrAbove(min)).toEqual({ ecr: expected, inspector: expected });
  });

  test('INFORMATIONAL also matches findings without a severity, as each scanner names them', () => {
    expect(severitiesAtOrAbove(FindingSeverity.INFORMATIONAL)).toEqual({
      ecr: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNDEFINED'],
      inspector: ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNTRIAGED'],
    });
  });
});

describe('scanFindingsPattern', () => {
  test('one basic-scan branch per severity, one Inspector branch, both sources', () => {
    const pattern = scanFindingsPattern('team/app', FindingSeverity.CRITICAL);
    expect(pattern).toEqual({
      source: ['aws.ecr', 'aws.inspector2'],
      detailType: ['ECR Image Scan', 'Inspector2 Finding'],
      detail: {
        $or: [
          {
            'repository-name': ['team/app'],
            'scan-status': ['COMPLETE'],
            'finding-severity-counts': { CRITICAL: [{ numeric: ['>', 0] }] },
          },
          {
            severity: ['CRITICAL'],
            status: ['ACTIVE'],
            resources: { details: { awsEcrContainerImage: { repositoryName: ['team/app'] } } },
          },
        ],
      },
    });
  });

  test('at LOW: four basic-scan branches', () => {
    const branches = (scanFindingsPattern('r', FindingSeverity.LOW).detail as any).$or;
    expect(branches).toHaveLength(5);
    expect(branches.slice(0, 4).map((b: any) => Object.keys(b['finding-severity-counts'])[0])).toEqual([
      'LOW',
      'MEDIUM',
      'HIGH',
      'CRITICAL',
    ]);
  });
});
