export * from './docker-build-to-ecr';
