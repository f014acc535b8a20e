export * from './docker-build-to-ecr';
export * from './cross-account-pull-policy';
export * from './access-level';
export * from './builder-image';
export * from './go-sample-build';
export * from './docker-cache';
export * from './image-platform';
