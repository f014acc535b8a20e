package io.github.cdkecrcodebuild.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkecrcodebuild.DockerBuildToEcr;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Stack;

/**
 * What is under test is what a user installs: the jar Maven resolved from dist/java into the
 * run-local repository, with aws-cdk-lib and constructs at their floors. No TypeScript test mirrors
 * this (the jest tests import ../src).
 */
class InstalledPackageTest {
    private static final String ARTIFACT = "io/github/cdkecrcodebuild/cdk-ecr-codebuild/0.0.0/cdk-ecr-codebuild-0.0.0.jar";

    private static Path codeSource(Class<?> type) throws Exception {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<String> classpathJars() {
        String cp = ReadmeExamplesTest.testClasspath();
        return Arrays.stream(cp.split(File.pathSeparator)).map(p -> Path.of(p).getFileName().toString())
                .filter(n -> n.endsWith(".jar")).sorted().collect(Collectors.toList());
    }

    /** The library classes come from the installed jar, byte for byte the one in dist/java. */
    @Test
    void libraryIsTheDistJarFromTheLocalRepository() throws Exception {
        Path jar = codeSource(DockerBuildToEcr.class);
        String m2 = System.getProperty("cdk.m2");
        String dist = System.getProperty("cdk.dist.repo");
        assertTrue(m2 != null && dist != null, "run through run.sh (cdk.m2 and cdk.dist.repo system properties)");
        assertEquals(Path.of(m2).toAbsolutePath().normalize().resolve(ARTIFACT), jar.toAbsolutePath().normalize());
        Path distJar = Path.of(java.net.URI.create(dist)).resolve(ARTIFACT);
        String expected = Files.readString(Path.of(distJar + ".sha1")).trim().split("\\s+")[0];
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(jar)));
        assertEquals(expected, actual, "sha1 of the installed jar against dist/java's .sha1");
    }

    /** aws-cdk-lib and constructs are the pinned floors, each once, not the versions the library's pom names. */
    @Test
    void cdkVersionsAreTheFloors() throws Exception {
        List<String> jars = classpathJars();
        assertEquals(List.of("aws-cdk-lib-" + System.getProperty("cdk.aws-cdk-lib.version") + ".jar"),
                jars.stream().filter(j -> j.startsWith("aws-cdk-lib-")).collect(Collectors.toList()));
        assertEquals("aws-cdk-lib-2.177.0.jar", codeSource(Stack.class).getFileName().toString());
        assertEquals(List.of("constructs-10.5.1.jar"),
                jars.stream().filter(j -> j.startsWith("constructs-")).collect(Collectors.toList()));
        assertEquals(List.of("jsii-runtime-1.140.0.jar"),
                jars.stream().filter(j -> j.startsWith("jsii-runtime-")).collect(Collectors.toList()));
    }
}
