package io.github.cdkecrcodebuild.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.codebuild.ISource;
import software.amazon.awscdk.services.codebuild.S3SourceProps;
import software.amazon.awscdk.services.codebuild.Source;
import software.amazon.awscdk.services.s3.Bucket;

/** Helpers shared by the consumer tests: the stack of common.md and JSON navigation. */
final class Support {
    static final String ACCOUNT = "111111111111";
    static final String REGION = "eu-west-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Support() {}

    /** Stack 'Stack' in account 111111111111, region eu-west-1 (the TS tests' newStack()). */
    static Stack newStack() {
        return newStack(new App());
    }

    static Stack newStack(App app) {
        return new Stack(app, "Stack", StackProps.builder()
                .env(Environment.builder().account(ACCOUNT).region(REGION).build())
                .build());
    }

    /** The TS tests' s3Source(): Source.s3 of the imported bucket 'my-sources', path 'app/source.zip'. */
    static ISource s3Source(Stack stack) {
        return Source.s3(S3SourceProps.builder()
                .bucket(Bucket.fromBucketName(stack, "Sources", "my-sources"))
                .path("app/source.zip")
                .build());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertInstanceOf(Map.class, value, () -> "expected a JSON object, got " + value);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object value) {
        assertInstanceOf(List.class, value, () -> "expected a JSON array, got " + value);
        return (List<Object>) value;
    }

    /** A JSON value as a list: a scalar becomes a one-element list (IAM's Action and Resource). */
    static List<Object> flat(Object value) {
        return value instanceof List ? list(value) : List.of(value);
    }

    /** Follows a path of keys through nested JSON objects; fails naming the missing key. */
    static Object at(Object root, String... keys) {
        Object current = root;
        for (String key : keys) {
            Map<String, Object> object = map(current);
            if (!object.containsKey(key)) {
                fail("no key '" + key + "' in " + object.keySet());
            }
            current = object.get(key);
        }
        return current;
    }

    /** The Properties of the one resource of a type in the template. */
    static Map<String, Object> onlyResourceProperties(Template template, String type) {
        Map<String, Map<String, Object>> resources = template.findResources(type);
        assertEquals(1, resources.size(), () -> "resources of type " + type + ": " + resources.keySet());
        return map(resources.values().iterator().next().get("Properties"));
    }

    /** The logical id of the one resource of a type in the template. */
    static String onlyLogicalId(Template template, String type) {
        Map<String, Map<String, Object>> resources = template.findResources(type);
        assertEquals(1, resources.size(), () -> "resources of type " + type + ": " + resources.keySet());
        return resources.keySet().iterator().next();
    }

    /** The buildspec (a JSON string in Source.BuildSpec) of the one CodeBuild project, parsed. */
    static Map<String, Object> buildSpecOf(Template template) {
        Object text = at(onlyResourceProperties(template, "AWS::CodeBuild::Project"), "Source", "BuildSpec");
        assertInstanceOf(String.class, text, "the BuildSpec is inline JSON text");
        return parseJson((String) text);
    }

    static Map<String, Object> parseJson(String text) {
        try {
            return map(JSON.readValue(text, Map.class));
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Every identity statement: AWS::IAM::Policy documents and the inline Policies of AWS::IAM::Role. */
    static List<Map<String, Object>> identityStatements(Template template) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> policy : template.findResources("AWS::IAM::Policy").values()) {
            for (Object s : flat(at(policy, "Properties", "PolicyDocument", "Statement"))) {
                out.add(map(s));
            }
        }
        for (Map<String, Object> role : template.findResources("AWS::IAM::Role").values()) {
            Object inline = map(role.get("Properties")).get("Policies");
            if (inline == null) {
                continue;
            }
            for (Object p : list(inline)) {
                for (Object s : flat(at(p, "PolicyDocument", "Statement"))) {
                    out.add(map(s));
                }
            }
        }
        return out;
    }

    /**
     * Runs code that must throw and returns the message. jsii surfaces the library's Error as a
     * RuntimeException (software.amazon.jsii.JsiiError).
     */
    static String messageOfFailure(Executable code) {
        try {
            code.execute();
        } catch (RuntimeException e) {
            assertNotNull(e.getMessage(), "the exception has a message");
            return e.getMessage();
        } catch (Throwable t) {
            throw new AssertionError("expected a RuntimeException, got " + t, t);
        }
        return fail("expected the construct to throw, but it did not");
    }
}
