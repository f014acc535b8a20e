import { Token } from 'aws-cdk-lib';
import { siteError } from './errors';
import { inFactory } from '../shared/errors';
import { validateImageTag } from '../shared/validation';

/** One path component of a repository name, as the OCI distribution spec allows it. */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Other names of Docker Hub that image references use. */
const DOCKER_HUB_HOSTS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** What an upstream image reference resolves to in the cache. */
export interface ImageReference {
  /** The upstream repository, with the official-image namespace added where the upstream has one. */
  readonly repository: string;
  /** `:tag` or `@sha256:…` (`:latest` when the reference has neither). */
  readonly reference: string;
}

/** The parts of an upstream's image reference (see ImageReference). */
export interface UpstreamNaming {
  readonly registryUrl: string;
  readonly registryType: string;
  readonly officialImageNamespace?: string;
}

/**
 * Parses `[host/]name[:tag|@digest]` for an upstream: drops the upstream's own host, adds the
 * official-image namespace (Docker Hub's `library/`) to names without a namespace. Errors name
 * `site`, the method that received the image (e.g. `PullThroughCacheRule.imageUri`).
 */
export function parseImageReference(
  site: string,
  prop: string,
  image: string,
  upstream: UpstreamNaming,
): ImageReference {
  if (Token.isUnresolved(image)) {
    throw siteError(site, prop, image, 'is a token', 'give the upstream image as a literal, e.g. "node:20"');
  }
  let rest = image;
  let reference = ':latest';
  const at = rest.indexOf('@');
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) {
      throw siteError(
        site,
        prop,
        image,
        'has a malformed digest',
        'use "@sha256:" followed by 64 lowercase hex digits',
      );
    }
    reference = `@${digest}`;
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/');
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost')) {
    const host = parts.shift()!;
    const own =
      host === upstream.registryUrl || (upstream.registryType === 'docker-hub' && DOCKER_HUB_HOSTS.includes(host));
    if (!own && Token.isUnresolved(upstream.registryUrl)) {
      // An ECR upstream whose account, region or DNS suffix is only known at deploy time.
      throw siteError(
        site,
        prop,
        image,
        `names registry ${host}, and the host of the rule's upstream is only known at deploy time`,
        'give the upstream image without a host (e.g. "team/app:1.0")',
      );
    }
    if (!own) {
      throw siteError(
        site,
        prop,
        image,
        `names registry ${host}, not the upstream of the rule (${upstream.registryUrl})`,
        `give the image of ${upstream.registryUrl} without a host (e.g. "node:20"), or use the rule of ${host}`,
      );
    }
  }
  const last = parts[parts.length - 1];
  const colon = last.indexOf(':');
  if (colon >= 0) {
    if (at >= 0) {
      throw siteError(site, prop, image, 'has both a tag and a digest', 'give one of them (the digest pins the image)');
    }
    const tag = last.slice(colon + 1);
    inFactory(site, () => validateImageTag(undefined, prop, tag));
    reference = `:${tag}`;
    parts[parts.length - 1] = last.slice(0, colon);
  }
  if (parts.some((p) => !COMPONENT.test(p))) {
    throw siteError(
      site,
      prop,
      image,
      'is not an image reference',
      'use "[namespace/]name[:tag]" with lowercase letters and digits separated by single ".", "_", "-" (e.g. "node:20" or "bitnami/redis:7")',
    );
  }
  if (parts.length === 1 && upstream.officialImageNamespace !== undefined) {
    parts.unshift(upstream.officialImageNamespace);
  }
  return { repository: parts.join('/'), reference };
}
