import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from '../shared/errors';

/** An organization id, as AWS Organizations issues them. */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/**
 * An `aws:PrincipalOrgPaths` value: organization id, root id, one or more OU ids, each followed by
 * `/`, optionally ending with a `*` wildcard (that OU and everything below it); or the root followed
 * by `*` (`o-a1b2c3d4e5/r-ab12/*`, every account of the organization's root).
 */
const ORGANIZATIONAL_UNIT_PATH =
  /^o-[a-z0-9]{10,32}\/r-[0-9a-z]{4,32}\/(?:(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}\/)+\*?|\*)$/;

export function validateOrganizationId(scope: IConstruct | undefined, prop: string, value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!ORGANIZATION_ID.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'is not an AWS Organizations id',
      'use "o-" followed by 10-32 lowercase letters or digits, e.g. "o-a1b2c3d4e5" (aws organizations describe-organization)',
    );
  }
}

export function validateOrganizationalUnitPath(scope: IConstruct | undefined, prop: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!ORGANIZATIONAL_UNIT_PATH.test(value)) {
    throw propError(
      scope,
      prop,
      value,
      'is not an organizational unit path',
      'use "<organization id>/<root id>/<OU id>/", each OU of the path followed by "/", optionally ending with "*" ' +
        'for the OU (or root) and its children, e.g. "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/" or "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"',
    );
  }
}
