package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.at;
import static io.github.cdkecrcodebuild.consumer.Support.buildSpecOf;
import static io.github.cdkecrcodebuild.consumer.Support.map;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static io.github.cdkecrcodebuild.consumer.Support.onlyResourceProperties;
import static io.github.cdkecrcodebuild.consumer.Support.toJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.BuilderImage;
import io.github.cdkecrcodebuild.GoSampleBuild;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.ISource;
import software.amazon.awscdk.services.codebuild.ImagePullPrincipalType;
import software.amazon.awscdk.services.codebuild.LinuxBuildImage;
import software.amazon.awscdk.services.codebuild.S3SourceProps;
import software.amazon.awscdk.services.codebuild.Source;
import software.amazon.awscdk.services.ecr.Repository;
import software.amazon.awscdk.services.s3.Bucket;

/** Mirrors test/go-sample-build.test.ts (common.md item 3). */
class GoSampleBuildTest {
    /** The TS test's source(): the zip GoSample.zip of the imported bucket 'input-bucket'. */
    private static ISource source(Stack stack) {
        return Source.s3(S3SourceProps.builder()
                .bucket(Bucket.fromBucketName(stack, "SourceBucket", "input-bucket"))
                .path("GoSample.zip")
                .build());
    }

    /**
     * Mirrors 'an explicit curated image and Go version' and 'a curated image with Go 1.26 selected
     * by runtime-versions, pulled with CODEBUILD credentials'. API.md: curated(goVersion) takes a
     * version the image carries; 1.24 is one of Ubuntu standard:7.0 and 8.0 (asserted through goVersionsOf); the newest, 8.0, is picked.
     */
    @Test
    void curatedImageSelectsGoWithRuntimeVersions() {
        assertTrue(BuilderImage.goVersionsOf(LinuxBuildImage.STANDARD_7_0).contains("1.24"),
                () -> "standard:7.0 Go versions: " + BuilderImage.goVersionsOf(LinuxBuildImage.STANDARD_7_0));
        Stack stack = newStack();
        BuilderImage image = BuilderImage.curated("1.24");
        assertEquals("1.24", image.getGoVersion());
        GoSampleBuild build = GoSampleBuild.Builder.create(stack, "Go").source(source(stack)).builderImage(image).build();
        Template template = Template.fromStack(stack);

        template.resourceCountIs("AWS::CodeBuild::Project", 1);
        Map<String, Object> project = onlyResourceProperties(template, "AWS::CodeBuild::Project");
        assertEquals("aws/codebuild/standard:8.0", at(project, "Environment", "Image"));
        assertEquals("CODEBUILD", at(project, "Environment", "ImagePullCredentialsType"));
        assertEquals(false, at(project, "Environment", "PrivilegedMode"));
        assertEquals(Map.of("golang", "1.24"), at(buildSpecOf(template), "phases", "install", "runtime-versions"));
        assertEquals(ImagePullPrincipalType.CODEBUILD, build.getImagePullCredentials());
    }

    /**
     * Mirrors 'a repository of the same stack: CODEBUILD, and a repository-policy statement for
     * this project only' (custom builder image in ECR): no runtime-versions.
     */
    @Test
    void customImageFromEcrHasNoRuntimeVersions() {
        Stack stack = newStack();
        Repository repository = new Repository(stack, "Builder");
        GoSampleBuild build = GoSampleBuild.Builder.create(stack, "Go")
                .source(source(stack))
                .builderImage(BuilderImage.fromEcrRepository(repository, "go1.22"))
                .build();
        Template template = Template.fromStack(stack);

        Map<String, Object> project = onlyResourceProperties(template, "AWS::CodeBuild::Project");
        String image = toJson(at(project, "Environment", "Image"));
        assertTrue(image.contains(":go1.22\""), () -> "Image " + image);
        Map<String, Object> install = map(at(buildSpecOf(template), "phases", "install"));
        assertFalse(install.containsKey("runtime-versions"), () -> "install phase: " + install);
        assertEquals(ImagePullPrincipalType.CODEBUILD, build.getImagePullCredentials());
        String policy = toJson(at(template.findResources("AWS::ECR::Repository").values().iterator().next(),
                "Properties", "RepositoryPolicyText"));
        assertTrue(policy.contains("\"Service\":\"codebuild.amazonaws.com\""), () -> "repository policy " + policy);
    }
}
