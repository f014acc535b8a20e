package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.at;
import static io.github.cdkecrcodebuild.consumer.Support.buildSpecOf;
import static io.github.cdkecrcodebuild.consumer.Support.messageOfFailure;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static io.github.cdkecrcodebuild.consumer.Support.onlyResourceProperties;
import static io.github.cdkecrcodebuild.consumer.Support.s3Source;
import static io.github.cdkecrcodebuild.consumer.Support.toJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.DockerBuildToEcr;
import io.github.cdkecrcodebuild.DockerCache;
import io.github.cdkecrcodebuild.DockerServerCacheOptions;
import io.github.cdkecrcodebuild.ImageCompression;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.ComputeType;
import software.amazon.awscdk.services.ecr.TagMutability;

/**
 * The issue-22 surface through the Java bindings: mirrors test/docker-build-to-ecr.test.ts
 * 'DockerCache.dockerServer()', 'compression' and 'tag mutability exclusion filters'.
 */
class Aws2026Test {
    /** Mirrors "the project's Docker server: its compute type (the project's by default), no registry cache". */
    @Test
    void dockerServerWithItsOwnComputeType() {
        Stack stack = newStack();
        DockerBuildToEcr image = DockerBuildToEcr.Builder.create(stack, "Image")
                .source(s3Source(stack))
                .cache(DockerCache.dockerServer(
                        DockerServerCacheOptions.builder().computeType(ComputeType.X2_LARGE).build()))
                .build();
        Template template = Template.fromStack(stack);
        Map<String, Object> project = onlyResourceProperties(template, "AWS::CodeBuild::Project");
        assertEquals("BUILD_GENERAL1_2XLARGE", at(project, "Environment", "DockerServer", "ComputeType"));
        assertEquals(null, image.getCacheRepository());
    }

    /** Mirrors 'IMMUTABLE with latest excluded' and 'ZSTD on the registry cache'. */
    @Test
    void immutableCommitTagsLatestMovesZstdLayers() {
        Stack stack = newStack();
        DockerBuildToEcr.Builder.create(stack, "Image")
                .source(s3Source(stack))
                .imageTagMutability(TagMutability.IMMUTABLE)
                .imageTagMutabilityExclusionFilters(List.of("latest"))
                .compression(ImageCompression.ZSTD)
                .build();
        Template template = Template.fromStack(stack);
        String repositories = toJson(template.findResources("AWS::ECR::Repository"));
        assertTrue(repositories.contains("\"ImageTagMutability\":\"IMMUTABLE_WITH_EXCLUSION\""), repositories);
        String script = toJson(at(buildSpecOf(template), "phases", "build", "commands"));
        assertTrue(script.contains("compression=zstd,force-compression=true,oci-mediatypes=true"), script);
    }

    /** Mirrors 'fails when ZSTD meets a cache that cannot write it'. */
    @Test
    void zstdRefusedWithTheDockerServer() {
        Stack stack = newStack();
        String message = messageOfFailure(() -> DockerBuildToEcr.Builder.create(stack, "Image")
                .source(s3Source(stack))
                .cache(DockerCache.dockerServer())
                .compression(ImageCompression.ZSTD)
                .build());
        assertTrue(message.contains("and DockerCache.dockerServer() builds on the Docker server's engine"), message);
    }
}
