package io.github.cdkecrcodebuild.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.cxapi.SynthesisMessage;

/**
 * common.md item 7: the README's ```java blocks, compiled with javac against the installed
 * packages and run. There is no TypeScript test of its own for this: it mirrors `npm test`'s rosetta
 * step (README snippets compiled and translated), but goes further and executes the Java.
 *
 * <p>A block is one of two kinds:
 *
 * <ul>
 *   <li>a rosetta translation of a TypeScript snippet that runs inside a Stack constructor
 *       (rosetta/default.ts-fixture): its imports go to the top of a generated class that extends
 *       Stack; each bare declaration such as {@code IBucket bucket;} is bound to a real construct of
 *       that type (see {@link #BINDINGS}; an unknown type fails the test); the statements follow;
 *       the stack is synthesized;
 *   <li>the block preceded by the line {@code <!-- consumer:java -->}: a complete program (imports,
 *       then statements that create an App, a Stack, the construct and call app.synth()), wrapped in
 *       {@code public class ReadmeApp { public static void main(String[] args) {...} }} and run in a
 *       JVM of its own in an empty directory with CDK_OUTDIR=cdk.out (as the CDK CLI runs an app),
 *       and that cdk.out must hold a template with an AWS::CodeBuild::Project.
 * </ul>
 *
 * <p>Rosetta's Java uses {@code Map.of} and {@code List.of} without importing them, so every generated
 * file also imports {@code java.util.*}; nothing else is added.
 */
class ReadmeExamplesTest {
    static final String MARKER = "<!-- consumer:java -->";
    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;\\s*$");
    private static final Pattern DECLARATION =
            Pattern.compile("^\\s*([A-Z]\\w*(?:\\.[A-Za-z]\\w*)*)\\s+([a-z]\\w*)\\s*;\\s*(//.*)?$");
    private static final Pattern CONSTRUCT_ID = Pattern.compile("\\(\\s*this\\s*,\\s*\"([^\"]+)\"");

    /** A fenced ```java block of the README: the line of its fence and its lines. */
    static final class Block {
        final int fenceLine;
        final boolean program;
        final List<String> lines;

        Block(int fenceLine, boolean program, List<String> lines) {
            this.fenceLine = fenceLine;
            this.program = program;
            this.lines = lines;
        }

        String name() {
            return (program ? "consumer:java program" : "stack snippet") + " at README.md:" + fenceLine;
        }
    }

    /** A block split into its imports, its bare declarations and its statements (with README lines). */
    static final class Parts {
        final List<String> imports = new ArrayList<>();
        final Map<String, String> declarations = new LinkedHashMap<>(); // variable -> type as written
        final List<String> statements = new ArrayList<>();
        final List<String> statementLines = new ArrayList<>(); // README line of each statement line
    }

    /** Generated Java source, with the README line each generated line comes from (or ""). */
    static final class Source {
        final StringBuilder text = new StringBuilder();
        final List<String> origins = new ArrayList<>();

        Source line(String line) {
            return line(line, "");
        }

        Source line(String line, String readmeLine) {
            text.append(line).append('\n');
            origins.add(readmeLine);
            return this;
        }

        @Override
        public String toString() {
            return text.toString();
        }

        /** The source with line numbers and README lines, for failure messages. */
        String listing() {
            StringBuilder out = new StringBuilder();
            String[] lines = text.toString().split("\n", -1);
            for (int i = 0; i < lines.length && i < origins.size(); i++) {
                String origin = origins.get(i).isEmpty() ? "" : "README.md:" + origins.get(i);
                out.append(String.format("%4d %-15s %s%n", i + 1, origin, lines[i]));
            }
            return out.toString();
        }

        String origin(long line) {
            return line >= 1 && line <= origins.size() && !origins.get((int) line - 1).isEmpty()
                    ? " (README.md:" + origins.get((int) line - 1) + ")" : "";
        }
    }

    // ---------------------------------------------------------------- README parsing

    static Path readme() {
        Path path = Path.of(System.getProperty("cdk.readme", "../../../README.md")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(path), () -> "README not found at " + path + " (system property cdk.readme)");
        return path;
    }

    static List<Block> javaBlocks() throws IOException {
        List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).trim().equals("```java")) {
                continue;
            }
            int previous = i - 1;
            while (previous >= 0 && lines.get(previous).isBlank()) {
                previous--;
            }
            boolean program = previous >= 0 && lines.get(previous).trim().equals(MARKER);
            int fence = i;
            List<String> body = new ArrayList<>();
            for (i = i + 1; i < lines.size() && !lines.get(i).trim().equals("```"); i++) {
                body.add(lines.get(i) + "\u0000" + (i + 1)); // keep the README line number with each line
            }
            if (i >= lines.size()) {
                fail("README.md:" + (fence + 1) + ": ```java block is never closed");
            }
            blocks.add(new Block(fence + 1, program, body));
        }
        return blocks;
    }

    private static String text(String tagged) {
        return tagged.substring(0, tagged.indexOf('\u0000'));
    }

    private static String lineOf(String tagged) {
        return tagged.substring(tagged.indexOf('\u0000') + 1);
    }

    static Parts split(Block block) {
        Parts parts = new Parts();
        int i = 0;
        for (; i < block.lines.size(); i++) {
            String line = text(block.lines.get(i));
            if (line.isBlank()) {
                continue;
            }
            if (!IMPORT.matcher(line).matches()) {
                break;
            }
            parts.imports.add(line.trim());
        }
        for (; i < block.lines.size(); i++) {
            String line = text(block.lines.get(i));
            Matcher declaration = DECLARATION.matcher(line);
            if (declaration.matches()) {
                parts.declarations.put(declaration.group(2), declaration.group(1));
            } else if (!line.isBlank()) {
                parts.statements.add(line);
                parts.statementLines.add(lineOf(block.lines.get(i)));
            }
        }
        return parts;
    }

    // ---------------------------------------------------------------- bindings of declared variables

    private static String id(String variable) {
        return "Declared" + Character.toUpperCase(variable.charAt(0)) + variable.substring(1);
    }

    private static String kebab(String variable) {
        return variable.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static final String S3 = "software.amazon.awscdk.services.s3.";
    private static final String ECR = "software.amazon.awscdk.services.ecr.";
    private static final String CODECOMMIT = "software.amazon.awscdk.services.codecommit.";
    private static final String CODEBUILD = "software.amazon.awscdk.services.codebuild.";
    private static final String CODEPIPELINE = "software.amazon.awscdk.services.codepipeline.";
    private static final String IAM = "software.amazon.awscdk.services.iam.";
    private static final String SNS = "software.amazon.awscdk.services.sns.";
    private static final String SECRETS = "software.amazon.awscdk.services.secretsmanager.";
    private static final String KMS = "software.amazon.awscdk.services.kms.";
    private static final String ECS = "software.amazon.awscdk.services.ecs.";
    private static final String EC2 = "software.amazon.awscdk.services.ec2.";
    private static final String LIB = "io.github.cdkecrcodebuild.";

    private static String gitHubSource(String repo) {
        return CODEBUILD + "Source.gitHub(" + CODEBUILD + "GitHubSourceProps.builder().owner(\"my-org\").repo(\"" + repo
                + "\").build())";
    }

    /**
     * Real constructs for the bare declarations of rosetta's translations, by the declared type's
     * fully qualified name: (variable, all declarations of the block) -> Java expression.
     */
    static final Map<String, BiFunction<String, Map<String, String>, String>> BINDINGS = new LinkedHashMap<>();

    static {
        BiFunction<String, Map<String, String>, String> bucket = (v, all) -> "new " + S3 + "Bucket(this, \"" + id(v) + "\")";
        BINDINGS.put(S3 + "IBucket", bucket);
        BINDINGS.put(S3 + "Bucket", bucket);
        BiFunction<String, Map<String, String>, String> ecrRepository =
                (v, all) -> "new " + ECR + "Repository(this, \"" + id(v) + "\")";
        BINDINGS.put(ECR + "IRepository", ecrRepository);
        BINDINGS.put(ECR + "Repository", ecrRepository);
        BiFunction<String, Map<String, String>, String> codeCommitRepository = (v, all) -> CODECOMMIT
                + "Repository.Builder.create(this, \"" + id(v) + "\").repositoryName(\"" + kebab(v) + "\").build()";
        BINDINGS.put(CODECOMMIT + "IRepository", codeCommitRepository);
        BINDINGS.put(CODECOMMIT + "Repository", codeCommitRepository);
        BINDINGS.put(CODEBUILD + "ISource", (v, all) -> gitHubSource(kebab(v)));
        BiFunction<String, Map<String, String>, String> project = (v, all) -> CODEBUILD + "Project.Builder.create(this, \""
                + id(v) + "\").buildSpec(" + CODEBUILD + "BuildSpec.fromObject(java.util.Map.of(\"version\", \"0.2\"))).build()";
        BINDINGS.put(CODEBUILD + "IProject", project);
        BINDINGS.put(CODEBUILD + "Project", project);
        BiFunction<String, Map<String, String>, String> role = (v, all) -> IAM + "Role.Builder.create(this, \"" + id(v)
                + "\").assumedBy(new " + IAM + "AccountRootPrincipal()).build()";
        BINDINGS.put(IAM + "IRole", role);
        BINDINGS.put(IAM + "Role", role);
        BiFunction<String, Map<String, String>, String> topic = (v, all) -> "new " + SNS + "Topic(this, \"" + id(v) + "\")";
        BINDINGS.put(SNS + "ITopic", topic);
        BINDINGS.put(SNS + "Topic", topic);
        BiFunction<String, Map<String, String>, String> secret =
                (v, all) -> "new " + SECRETS + "Secret(this, \"" + id(v) + "\")";
        BINDINGS.put(SECRETS + "ISecret", secret);
        BINDINGS.put(SECRETS + "Secret", secret);
        BiFunction<String, Map<String, String>, String> key =
                (v, all) -> KMS + "Key.Builder.create(this, \"" + id(v) + "\").enableKeyRotation(true).build()";
        BINDINGS.put(KMS + "IKey", key);
        BINDINGS.put(KMS + "Key", key);
        BiFunction<String, Map<String, String>, String> vpc = (v, all) -> "new " + EC2 + "Vpc(this, \"" + id(v) + "\")";
        BINDINGS.put(EC2 + "IVpc", vpc);
        BINDINGS.put(EC2 + "Vpc", vpc);
        BINDINGS.put(ECS + "FargateTaskDefinition", (v, all) -> "new " + ECS + "FargateTaskDefinition(this, \"" + id(v) + "\")");
        BINDINGS.put(LIB + "DockerBuildToEcr", (v, all) -> LIB + "DockerBuildToEcr.Builder.create(this, \"" + id(v)
                + "\").source(" + gitHubSource(kebab(v)) + ").build()");
        BINDINGS.put(CODEPIPELINE + "Artifact", (v, all) -> CODEPIPELINE + "Artifact.artifact(\"" + id(v) + "\")");
        // A pipeline needs a first stage of source actions: it outputs the block's declared
        // Artifact variables (bound before the pipeline), or one artifact of its own.
        BINDINGS.put(CODEPIPELINE + "Pipeline", (v, all) -> {
            List<String> outputs = all.entrySet().stream()
                    .filter(e -> e.getValue().equals(CODEPIPELINE + "Artifact"))
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toList());
            if (outputs.isEmpty()) {
                outputs = List.of(CODEPIPELINE + "Artifact.artifact(\"" + id(v) + "Source\")");
            }
            StringBuilder actions = new StringBuilder();
            int n = 0;
            for (String output : outputs) {
                actions.append(n > 0 ? ", " : "")
                        .append("software.amazon.awscdk.services.codepipeline.actions.S3SourceAction.Builder.create()")
                        .append(".actionName(\"Source").append(n).append("\")")
                        .append(".bucket(new ").append(S3).append("Bucket(this, \"").append(id(v)).append("Bucket").append(n)
                        .append("\", ").append(S3).append("BucketProps.builder().versioned(true).build()))")
                        .append(".bucketKey(\"source.zip\").output(").append(output).append(").build()");
                n++;
            }
            return CODEPIPELINE + "Pipeline.Builder.create(this, \"" + id(v) + "\").stages(java.util.List.of("
                    + CODEPIPELINE + "StageProps.builder().stageName(\"Source\").actions(java.util.List.of(" + actions
                    + ")).build())).build()";
        });
    }

    /** The fully qualified name of a declared type, from the block's imports. */
    static String resolveType(String written, List<String> imports, ClassLoader loader) {
        List<String> candidates = new ArrayList<>();
        if (written.contains(".")) {
            candidates.add(written);
        }
        for (String line : imports) {
            Matcher m = IMPORT.matcher(line);
            if (!m.matches() || m.group(1) != null) {
                continue;
            }
            String name = m.group(2);
            if (m.group(3) != null) {
                candidates.add(name + "." + written);
            } else if (name.endsWith("." + written)) {
                candidates.add(name);
            }
        }
        List<String> found = candidates.stream().distinct().filter(c -> exists(c, loader)).collect(Collectors.toList());
        if (found.size() != 1) {
            fail("declared type " + written + " resolves to " + (found.isEmpty() ? "no class" : found)
                    + " through the block's imports " + imports);
        }
        return found.get(0);
    }

    private static boolean exists(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- source generation

    static Source stackSource(String className, Parts parts, ClassLoader loader) {
        Map<String, String> fqns = new LinkedHashMap<>();
        parts.declarations.forEach((variable, type) -> fqns.put(variable, resolveType(type, parts.imports, loader)));
        for (Map.Entry<String, String> e : fqns.entrySet()) {
            if (!BINDINGS.containsKey(e.getValue())) {
                fail("unknown declared type " + e.getValue() + " (variable '" + e.getKey() + "'): "
                        + "add a real construct for it to ReadmeExamplesTest.BINDINGS");
            }
        }
        // Artifacts first: a Pipeline's binding uses them.
        List<String> order = new ArrayList<>(fqns.keySet());
        order.sort((a, b) -> Boolean.compare(!fqns.get(a).equals(CODEPIPELINE + "Artifact"),
                !fqns.get(b).equals(CODEPIPELINE + "Artifact")));
        Source src = new Source();
        parts.imports.forEach(src::line);
        src.line("import java.util.*;").line("");
        src.line("public class " + className + " extends software.amazon.awscdk.Stack {");
        src.line("    public " + className + "(final software.constructs.Construct scope, final java.lang.String id) {");
        src.line("        super(scope, id);");
        src.line("        // the block's declared variables, bound to real constructs");
        for (String variable : order) {
            src.line("        " + parts.declarations.get(variable) + " " + variable + " = "
                    + BINDINGS.get(fqns.get(variable)).apply(variable, fqns) + ";");
        }
        src.line("        // the block's statements");
        for (int i = 0; i < parts.statements.size(); i++) {
            src.line("        " + parts.statements.get(i), parts.statementLines.get(i));
        }
        src.line("    }").line("}");
        return src;
    }

    static Source programSource(Parts parts) {
        Source src = new Source();
        parts.imports.forEach(src::line);
        src.line("import java.util.*;").line("");
        src.line("public class ReadmeApp {").line("    public static void main(final java.lang.String[] args) {");
        for (int i = 0; i < parts.statements.size(); i++) {
            src.line("        " + parts.statements.get(i), parts.statementLines.get(i));
        }
        src.line("    }").line("}");
        return src;
    }

    // ---------------------------------------------------------------- compiling and running

    static String testClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        assertNotNull(cp);
        assertTrue(cp.contains("aws-cdk-lib"), () -> "aws-cdk-lib is not on the test classpath: " + System.getProperty("java.class.path"));
        return cp;
    }

    static Path workDir(String name) throws IOException {
        Path base = Path.of(System.getProperty("cdk.readme.work", "target/readme-examples")).toAbsolutePath();
        Path dir = base.resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** Compiles one generated class into dir/classes; fails with javac's messages and the source. */
    static Path compile(Path dir, String className, Source source) throws IOException {
        Path srcFile = dir.resolve("src").resolve(className + ".java");
        Files.createDirectories(srcFile.getParent());
        Files.writeString(srcFile, source.toString(), StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "no system Java compiler (a JDK, not a JRE, must run the tests)");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter out = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            ok = javac.getTask(out, files, diagnostics,
                    List.of("-classpath", testClasspath(), "-d", classes.toString(), "-proc:none", "--release", "17"),
                    null, files.getJavaFileObjects(srcFile.toFile())).call();
        }
        if (!ok) {
            StringBuilder message = new StringBuilder("javac failed on " + srcFile + ":\n");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    message.append("  line ").append(d.getLineNumber()).append(source.origin(d.getLineNumber())).append(": ")
                            .append(d.getMessage(Locale.ROOT)).append('\n');
                }
            }
            message.append(out).append("--- generated source ---\n").append(source.listing());
            fail(message.toString());
        }
        return classes;
    }

    // ---------------------------------------------------------------- the tests

    /** The README has Java blocks to check (an empty list would pass vacuously). */
    @Test
    void readmeHasJavaStackSnippets() throws IOException {
        List<Block> blocks = javaBlocks();
        assertTrue(blocks.stream().anyMatch(b -> !b.program), () -> "no ```java stack snippet in " + readme());
        for (Block b : blocks) {
            assertFalse(split(b).statements.isEmpty(), () -> b.name() + " has no statements");
        }
    }

    /** Each stack snippet: generated, compiled with javac, instantiated in a new App and synthesized. */
    @TestFactory
    Stream<DynamicTest> stackSnippetsCompileAndSynthesize() throws IOException {
        return javaBlocks().stream().filter(b -> !b.program).map(b -> DynamicTest.dynamicTest(b.name(), () -> {
            String className = "ReadmeSnippetL" + b.fenceLine;
            Parts parts = split(b);
            Path dir = workDir(className);
            Source source = stackSource(className, parts, getClass().getClassLoader());
            Path classes = compile(dir, className, source);

            Stack stack;
            try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
                Class<?> type = loader.loadClass(className);
                Constructor<?> constructor = type.getConstructor(software.constructs.Construct.class, String.class);
                App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build());
                try {
                    stack = (Stack) constructor.newInstance(app, "ReadmeSnippet");
                } catch (InvocationTargetException e) {
                    throw new AssertionError(b.name() + " threw while constructing its stack:\n"
                            + e.getCause() + "\n--- generated source ---\n" + source.listing(), e.getCause());
                }
                Template template = Template.fromStack(stack);
                assertFalse(template.toJSON().isEmpty());
            }
            // every construct the block creates on the stack ("this") is there
            for (String statement : parts.statements) {
                Matcher m = CONSTRUCT_ID.matcher(statement);
                while (m.find()) {
                    String id = m.group(1);
                    assertNotNull(stack.getNode().tryFindChild(id), () -> b.name() + " created no construct '" + id + "'");
                }
            }
            List<SynthesisMessage> errors = Annotations.fromStack(stack).findError("*", Match.anyValue());
            assertEquals(List.of(), errors.stream().map(e -> e.getEntry().getData()).collect(Collectors.toList()),
                    b.name() + ": error annotations");
        }));
    }

    /**
     * The block marked {@code <!-- consumer:java -->}: a whole program, run with `java` in an empty
     * directory; its cdk.out holds a template with an AWS::CodeBuild::Project.
     */
    @Test
    void consumerJavaProgramRuns() throws Exception {
        List<Block> programs = javaBlocks().stream().filter(b -> b.program).collect(Collectors.toList());
        assertEquals(1, programs.size(), () -> "README.md must have exactly one ```java block preceded by the line "
                + MARKER + " (a complete program: imports, then statements that create an App, a Stack, the construct"
                + " and call app.synth()); found " + programs.size() + " in " + readme());
        Block block = programs.get(0);
        Parts parts = split(block);
        assertEquals(Map.of(), parts.declarations,
                () -> block.name() + " is a complete program: it must not declare free variables");

        Path dir = workDir("ReadmeApp");
        Source source = programSource(parts);
        Path classes = compile(dir, "ReadmeApp", source);
        Path run = Files.createDirectories(dir.resolve("run"));
        Path log = dir.resolve("run.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", classes + File.pathSeparator + testClasspath(), "ReadmeApp")
                .directory(run.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // As `cdk synth` runs an app: the CLI tells it where to write with CDK_OUTDIR (an App without
        // outdir and without CDK_OUTDIR writes to a fresh temporary directory instead).
        pb.environment().put("CDK_OUTDIR", run.resolve("cdk.out").toString());
        pb.environment().remove("CDK_CONTEXT_JSON");
        Process process = pb.start();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("ReadmeApp did not finish in 300 s; output:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), () -> "ReadmeApp exited with " + process.exitValue() + "; output:\n" + output
                + "\n--- generated source ---\n" + source.listing());

        Path cdkOut = run.resolve("cdk.out");
        assertTrue(Files.isRegularFile(cdkOut.resolve("manifest.json")), () -> "no cdk.out/manifest.json in " + run
                + " (did the program call app.synth()?); output:\n" + output);
        List<Path> templates;
        try (Stream<Path> files = Files.list(cdkOut)) {
            templates = files.filter(f -> f.getFileName().toString().endsWith(".template.json")).collect(Collectors.toList());
        }
        assertFalse(templates.isEmpty(), () -> "no *.template.json in " + cdkOut);
        int projects = 0;
        for (Path t : templates) {
            projects += Template.fromString(Files.readString(t)).findResources("AWS::CodeBuild::Project").size();
        }
        assertTrue(projects >= 1, () -> "no AWS::CodeBuild::Project in " + templates);
    }
}
