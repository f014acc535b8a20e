package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.map;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static io.github.cdkecrcodebuild.consumer.Support.onlyResourceProperties;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.cdkecrcodebuild.PlatformCatalog;
import io.github.cdkecrcodebuild.PullThroughCacheRule;
import io.github.cdkecrcodebuild.RegistrySettings;
import io.github.cdkecrcodebuild.Upstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** Mirrors test/registry-settings.test.ts and test/platform-catalog.test.ts (common.md items 4 and 5). */
class RegistryAndCatalogTest {

    /** Mirrors 'renders each upstream' (RegistrySettings: pull-through cache rules), for ECR Public. */
    @Test
    void pullThroughCacheRuleForEcrPublic() {
        Stack stack = newStack();
        PullThroughCacheRule rule = PullThroughCacheRule.Builder.create()
                .ecrRepositoryPrefix("ecr-public")
                .upstream(Upstream.ecrPublic())
                .build();
        RegistrySettings registry = RegistrySettings.Builder.create(stack, "Registry")
                .pullThroughCacheRules(List.of(rule))
                .build();
        Template template = Template.fromStack(stack);

        template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 1);
        Map<String, Object> properties = onlyResourceProperties(template, "AWS::ECR::PullThroughCacheRule");
        assertEquals("ecr-public", properties.get("EcrRepositoryPrefix"));
        assertEquals("ecr-public", properties.get("UpstreamRegistry"));
        assertEquals("public.ecr.aws", properties.get("UpstreamRegistryUrl"));
        assertFalse(properties.containsKey("CredentialArn"), () -> "ECR Public needs no credentials: " + properties);
        assertEquals(1, registry.getPullThroughCacheRules().size());
        assertEquals("ecr-public", registry.getPullThroughCacheRules().get(0).getEcrRepositoryPrefix());
        // Mirrors the repositoryName() case of the pull-through cache tests.
        assertEquals("ecr-public/docker/library/node", rule.repositoryName("public.ecr.aws/docker/library/node:20"));
    }

    /** Mirrors 'creates a portfolio with the three products by default' (PlatformCatalog). */
    @Test
    void portfolioWithThreeProducts(@TempDir Path outdir) {
        App app = new App(AppProps.builder().outdir(outdir.toString()).build());
        Stack stack = newStack(app);
        PlatformCatalog catalog = PlatformCatalog.Builder.create(stack, "Catalog")
                .portfolioName("Container builds")
                .providerName("Platform team")
                .build();
        Template template = Template.fromStack(stack);

        Map<String, Object> portfolio = onlyResourceProperties(template, "AWS::ServiceCatalog::Portfolio");
        assertEquals("Container builds", portfolio.get("DisplayName"));
        assertEquals("Platform team", portfolio.get("ProviderName"));
        template.resourceCountIs("AWS::ServiceCatalog::CloudFormationProduct", 3);
        template.resourceCountIs("AWS::ServiceCatalog::PortfolioProductAssociation", 3);
        TreeSet<String> names = template.findResources("AWS::ServiceCatalog::CloudFormationProduct").values().stream()
                .map(r -> (String) map(r.get("Properties")).get("Name"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(List.of("Docker image build to ECR", "Share an ECR repository with other accounts",
                "Go build in CodeBuild")), names);
        for (Map<String, Object> product : template.findResources("AWS::ServiceCatalog::CloudFormationProduct").values()) {
            assertEquals("Platform team", map(product.get("Properties")).get("Owner"));
        }
        assertEquals(new TreeSet<>(List.of("CrossAccountPullPolicy", "DockerBuildToEcr", "GoSampleBuild")),
                new TreeSet<>(catalog.getProducts().keySet()));
        // The product templates are real files of the assembly (ProductStack writes them at synth).
        app.synth();
        try (var files = Files.list(outdir)) {
            long productTemplates = files.filter(f -> f.getFileName().toString().endsWith(".product.template.json")).count();
            assertEquals(3, productTemplates, "one product template per product in " + outdir);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
