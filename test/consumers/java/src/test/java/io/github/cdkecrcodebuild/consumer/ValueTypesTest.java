package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.at;
import static io.github.cdkecrcodebuild.consumer.Support.list;
import static io.github.cdkecrcodebuild.consumer.Support.map;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static io.github.cdkecrcodebuild.consumer.Support.s3Source;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.AccessLevel;
import io.github.cdkecrcodebuild.BuilderImage;
import io.github.cdkecrcodebuild.CatalogProduct;
import io.github.cdkecrcodebuild.DockerBuildToEcr;
import io.github.cdkecrcodebuild.FindingSeverity;
import io.github.cdkecrcodebuild.ImagePlatform;
import io.github.cdkecrcodebuild.ImageScanFindingsOptions;
import io.github.cdkecrcodebuild.RepositoryCreationTrigger;
import io.github.cdkecrcodebuild.Upstream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** common.md item 6: the value types, as Java sees them. */
class ValueTypesTest {

    /**
     * AccessLevel is a Java enum: == and equals compare by value (mirrors the AccessLevel.PULL /
     * PULL_PUSH cases of cross-account-pull-policy.test.ts).
     */
    @Test
    void accessLevelIsAnEnum() {
        AccessLevel pull = AccessLevel.valueOf("PULL");
        assertSame(AccessLevel.PULL, pull);
        assertEquals(AccessLevel.PULL, AccessLevel.PULL);
        assertNotEquals(AccessLevel.PULL, AccessLevel.PULL_PUSH);
        assertTrue(AccessLevel.PULL != AccessLevel.PULL_PUSH);
        assertArrayEquals(new AccessLevel[] {AccessLevel.PULL, AccessLevel.PULL_PUSH}, AccessLevel.values());
        assertEquals("PULL_PUSH", AccessLevel.PULL_PUSH.name());
    }

    /** FindingSeverity's members, in order (API.md Enums), and RepositoryCreationTrigger's. */
    @Test
    void findingSeverityAndRepositoryCreationTriggerMembers() {
        assertArrayEquals(new FindingSeverity[] {FindingSeverity.INFORMATIONAL, FindingSeverity.LOW,
                FindingSeverity.MEDIUM, FindingSeverity.HIGH, FindingSeverity.CRITICAL}, FindingSeverity.values());
        assertSame(FindingSeverity.HIGH, FindingSeverity.valueOf("HIGH"));
        assertArrayEquals(new RepositoryCreationTrigger[] {RepositoryCreationTrigger.PULL_THROUGH_CACHE,
                RepositoryCreationTrigger.REPLICATION, RepositoryCreationTrigger.CREATE_ON_PUSH},
                RepositoryCreationTrigger.values());
    }

    /**
     * Mirrors 'onImageScanFindings: a target, a minimum severity and an extra pattern'
     * (docker-build-to-ecr.deploy.test.ts): FindingSeverity.CRITICAL crosses jsii as CRITICAL.
     */
    @Test
    void findingSeverityReachesTheRule() {
        Stack stack = newStack();
        DockerBuildToEcr image = DockerBuildToEcr.Builder.create(stack, "Image").source(s3Source(stack)).build();
        image.onImageScanFindings("Findings", ImageScanFindingsOptions.builder().minSeverity(FindingSeverity.CRITICAL).build());
        Map<String, Map<String, Object>> rules = Template.fromStack(stack).findResources("AWS::Events::Rule");
        assertEquals(1, rules.size(), () -> "rules: " + rules.keySet());
        List<Object> branches = list(at(rules.values().iterator().next(), "Properties", "EventPattern", "detail", "$or"));
        assertEquals(2, branches.size(), () -> "$or: " + branches);
        assertEquals(Map.of("CRITICAL", List.of(Map.of("numeric", List.of(">", 0)))),
                map(branches.get(0)).get("finding-severity-counts"));
        assertEquals(List.of("CRITICAL"), map(branches.get(1)).get("severity"));
    }

    /**
     * ImagePlatform is a Java enum (capabilities.test.ts 'ImagePlatform is an enum'): its members
     * compare by value and identity, in declaration order.
     */
    @Test
    void imagePlatformMembers() {
        assertTrue(ImagePlatform.class.isEnum());
        assertEquals(List.of(ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64), List.of(ImagePlatform.values()));
        assertSame(ImagePlatform.LINUX_AMD64, ImagePlatform.valueOf("LINUX_AMD64"));
        assertNotEquals(ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64);
    }

    /** The other value classes' static factories return usable values (API.md properties). */
    @Test
    void staticFactories() {
        assertEquals("1.26", BuilderImage.DEFAULT_GO_VERSION);
        assertEquals("1.24", BuilderImage.curated("1.24").getGoVersion());
        assertEquals("public.ecr.aws", Upstream.ecrPublic().getRegistryUrl());
        assertEquals("ecr-public", Upstream.ecrPublic().getRegistryType());
        assertEquals("quay.io", Upstream.quay().getRegistryUrl());
        assertEquals("DockerBuildToEcr", CatalogProduct.dockerBuildToEcr().getConstruct());
        assertEquals("Docker image build to ECR", CatalogProduct.dockerBuildToEcr().getProductName());
    }
}
