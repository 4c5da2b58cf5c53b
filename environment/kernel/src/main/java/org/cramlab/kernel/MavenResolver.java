package org.cramlab.kernel;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.maven.model.Model;
import org.apache.maven.model.io.xpp3.MavenXpp3Reader;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

/**
 * {@code %maven} and {@code %%loadFromPOM}: resolves artifacts with their runtime dependencies
 * through Maven's own resolver, from the local repository ({@code ~/.m2/repository}) or Central.
 */
final class MavenResolver {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private final RepositorySystem system = new RepositorySystemSupplier().get();
    private final Path localRepository;

    MavenResolver() {
        String configured = System.getProperty("maven.repo.local");
        this.localRepository = configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    static RemoteRepository central() {
        return new RemoteRepository.Builder("central", "default", "https://repo.maven.apache.org/maven2/").build();
    }

    /**
     * The jars of {@code coordinates} ({@code group:artifact[:extension[:classifier]]:version}) and
     * their transitive runtime dependencies.
     */
    List<Path> resolve(List<String> coordinates) throws Exception {
        List<Dependency> deps = new ArrayList<>();
        for (String c : coordinates) {
            try {
                deps.add(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad Maven coordinates '" + c
                        + "': expected group:artifact:version (or group:artifact:extension:classifier:version)");
            }
        }
        return resolveDependencies(deps, List.of(central()));
    }

    /** The jars of a POM's (or a {@code <dependencies>} fragment's) dependencies, with its repositories. */
    List<Path> resolvePom(String pomXml) throws Exception {
        Model model = new MavenXpp3Reader().read(new StringReader(wrapFragment(pomXml)));
        Properties props = model.getProperties();
        List<Dependency> deps = new ArrayList<>();
        for (org.apache.maven.model.Dependency d : model.getDependencies()) {
            String scope = d.getScope() == null ? JavaScopes.COMPILE : d.getScope();
            if (scope.equals(JavaScopes.TEST) || scope.equals(JavaScopes.PROVIDED)) {
                continue;
            }
            deps.add(new Dependency(new DefaultArtifact(interpolate(d.getGroupId(), props), interpolate(d.getArtifactId(), props),
                    interpolate(d.getClassifier(), props), d.getType() == null ? "jar" : d.getType(),
                    interpolate(d.getVersion(), props)), scope));
        }
        List<RemoteRepository> repos = new ArrayList<>(List.of(central()));
        model.getRepositories().forEach(r -> repos.add(
                new RemoteRepository.Builder(r.getId(), "default", interpolate(r.getUrl(), props)).build()));
        return resolveDependencies(deps, repos);
    }

    /** Accepts a whole POM, a {@code <dependencies>} block, or bare {@code <dependency>} elements. */
    static String wrapFragment(String xml) {
        String body = xml.strip();
        if (body.contains("<project")) {
            return body;
        }
        if (!body.contains("<dependencies>") && !body.contains("<repositories>")) {
            body = "<dependencies>" + body + "</dependencies>";
        }
        return "<project><modelVersion>4.0.0</modelVersion><groupId>notebook</groupId>"
                + "<artifactId>notebook</artifactId><version>0</version>" + body + "</project>";
    }

    static String interpolate(String value, Properties props) {
        if (value == null) {
            return null;
        }
        Matcher m = PROPERTY.matcher(value);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = props.getProperty(m.group(1), System.getProperty(m.group(1), m.group()));
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        return m.appendTail(sb).toString();
    }

    private List<Path> resolveDependencies(List<Dependency> deps, List<RemoteRepository> repos) throws Exception {
        if (deps.isEmpty()) {
            return List.of();
        }
        try (RepositorySystemSession.CloseableSession session = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setSystemProperties(System.getProperties())
                .build()) {
            CollectRequest collect = new CollectRequest(deps, List.of(), repos);
            DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            Set<Path> jars = new LinkedHashSet<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
                if (r.getArtifact() != null && r.getArtifact().getPath() != null) {
                    jars.add(r.getArtifact().getPath());
                }
            }
            return new ArrayList<>(jars);
        }
    }
}
