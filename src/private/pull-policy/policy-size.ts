/**
 * Size of a repository policy as ECR counts it: the characters of the policy text, which
 * CloudFormation sends as compact JSON (no whitespace).
 */

import { renderIntrinsics } from '../shared/intrinsics';

/** The largest repository policy ECR accepts, in characters. */
export const ECR_POLICY_MAX_CHARS = 10_240;

/** The number of characters of the policy text: compact JSON, intrinsics rendered with `renderIntrinsics`. */
export function policyTextLength(policy: unknown, pseudo?: Record<string, string>): number {
  return JSON.stringify(renderIntrinsics(policy, pseudo)).length;
}
