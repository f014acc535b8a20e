package io.github.cdkecrcodebuild.consumer;

import static io.github.cdkecrcodebuild.consumer.Support.ACCOUNT;
import static io.github.cdkecrcodebuild.consumer.Support.at;
import static io.github.cdkecrcodebuild.consumer.Support.list;
import static io.github.cdkecrcodebuild.consumer.Support.map;
import static io.github.cdkecrcodebuild.consumer.Support.messageOfFailure;
import static io.github.cdkecrcodebuild.consumer.Support.newStack;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.AccessLevel;
import io.github.cdkecrcodebuild.CrossAccountPullPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.CfnResource;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.BuildSpec;
import software.amazon.awscdk.services.codebuild.Project;
import software.amazon.awscdk.services.ecr.Repository;

/** Mirrors test/cross-account-pull-policy.test.ts (common.md item 2). */
class CrossAccountPullPolicyTest {
    /** src/private/pull-policy/statements.ts PULL_ACTIONS and PUSH_ACTIONS, in the policy's order. */
    static final List<String> PULL = List.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability");
    static final List<String> PUSH = List.of("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload");

    private static final class Synth {
        Stack stack;
        CrossAccountPullPolicy policy;
        String projectId;
        List<Map<String, Object>> statements = new ArrayList<>();
    }

    /** A new ecr.Repository shared with 222222222222 and 333333333333 and one CodeBuild project. */
    private static Synth synth(AccessLevel accessLevel) {
        Synth out = new Synth();
        out.stack = newStack();
        Repository repository = new Repository(out.stack, "Repository");
        Project project = Project.Builder.create(out.stack, "Project")
                .buildSpec(BuildSpec.fromObject(Map.of("version", "0.2")))
                .build();
        CrossAccountPullPolicy.Builder builder = CrossAccountPullPolicy.Builder.create(out.stack, "Pull")
                .repository(repository)
                .accountIds(List.of("222222222222", "333333333333"))
                .codeBuildProjects(List.of(project));
        if (accessLevel != null) {
            builder.accessLevel(accessLevel);
        }
        out.policy = builder.build();
        out.projectId = out.stack.getLogicalId((CfnResource) project.getNode().getDefaultChild());
        Template template = Template.fromStack(out.stack);
        Map<String, Map<String, Object>> repositories = template.findResources("AWS::ECR::Repository");
        assertEquals(1, repositories.size());
        Object text = at(repositories.values().iterator().next(), "Properties", "RepositoryPolicyText");
        for (Object s : list(at(text, "Statement"))) {
            out.statements.add(map(s));
        }
        return out;
    }

    private static Map<String, Object> bySidSuffix(Synth s, String kind) {
        String sid = s.policy.getSidPrefix() + kind;
        return s.statements.stream().filter(st -> sid.equals(st.get("Sid"))).findFirst()
                .orElseThrow(() -> new AssertionError("no statement " + sid + " in " + s.statements));
    }

    /**
     * Mirrors 'adds one statement per kind of grantee to the RepositoryPolicyText, without Resource'
     * and 'accounts and projects added after construction are rendered' (the CodeBuild statement).
     */
    @Test
    void pullStatementsForAccountsAndCodeBuild() {
        Synth s = synth(null);
        assertEquals(AccessLevel.PULL, s.policy.getAccessLevel(), "PULL is the default");
        assertTrue(s.policy.getSidPrefix().startsWith("CdkEcrCodebuild"), s.policy.getSidPrefix());
        assertEquals(2, s.statements.size(), () -> "statements: " + s.statements);

        assertEquals(Map.of(
                "Sid", s.policy.getSidPrefix() + "Accounts",
                "Effect", "Allow",
                "Principal", Map.of("AWS", "*"),
                "Action", PULL,
                "Condition", Map.of("StringEquals", Map.of("aws:PrincipalAccount", List.of("222222222222", "333333333333")))),
                bySidSuffix(s, "Accounts"));

        assertEquals(Map.of(
                "Sid", s.policy.getSidPrefix() + "CodeBuild",
                "Effect", "Allow",
                "Principal", Map.of("Service", "codebuild.amazonaws.com"),
                "Action", PULL,
                "Condition", Map.of(
                        "StringEquals", Map.of("aws:SourceAccount", List.of(ACCOUNT)),
                        "ArnLike", Map.of("aws:SourceArn", List.of(Map.of("Fn::GetAtt", List.of(s.projectId, "Arn")))))),
                bySidSuffix(s, "CodeBuild"));

        for (Map<String, Object> statement : s.statements) {
            assertFalse(statement.containsKey("Resource"), () -> "a repository policy names no Resource: " + statement);
            for (String push : PUSH) {
                assertFalse(list(statement.get("Action")).contains(push), () -> push + " with AccessLevel.PULL: " + statement);
            }
        }
    }

    /**
     * Mirrors 'PULL_PUSH: push actions appear, for the granted principals only' and 'CodeBuild may
     * pull only for the project, from its account, and never push'.
     */
    @Test
    void pullPushAddsThePushActionsForTheAccounts() {
        Synth s = synth(AccessLevel.PULL_PUSH);
        assertEquals(AccessLevel.PULL_PUSH, s.policy.getAccessLevel());
        List<String> all = new ArrayList<>(PULL);
        all.addAll(PUSH);
        assertEquals(all, bySidSuffix(s, "Accounts").get("Action"));
        assertEquals(PULL, bySidSuffix(s, "CodeBuild").get("Action"));
        for (Map<String, Object> statement : s.statements) {
            assertFalse(statement.containsKey("Resource"), () -> "a repository policy names no Resource: " + statement);
        }
    }

    /** Mirrors 'fails when an account id is not 12 digits' (validation). */
    @Test
    void badAccountIdThrowsTheLibraryMessage() {
        Stack stack = newStack();
        Repository repository = new Repository(stack, "Repository");
        String message = messageOfFailure(() -> CrossAccountPullPolicy.Builder.create(stack, "Pull")
                .repository(repository)
                .accountIds(List.of("123"))
                .build());
        assertTrue(message.startsWith("[Stack/Pull] CrossAccountPullPolicy: accountIds \"123\" is not an AWS account id:"
                        + " use the 12 digits of the account"),
                () -> "message: " + message);
    }
}
