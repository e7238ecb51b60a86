package io.epochstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every dependency and plugin version lives in the root POM; a module's POM names none. */
class PomVersionsTest {
  private static final Path ROOT = DeploymentManifestsTest.DEPLOY.getParent();
  private static final Pattern PINNED = Pattern.compile("<(dependency|plugin)>((?:(?!</\\1>).)*?)<version>([^<]*)</version>",
      Pattern.DOTALL);

  @Test
  void noModulePinsAVersion() throws IOException {
    List<String> pinned = new ArrayList<>();
    try (Stream<Path> poms = Files.walk(ROOT, 3)) {
      for (Path pom : poms.filter(p -> p.getFileName().toString().equals("pom.xml") && !p.equals(ROOT.resolve("pom.xml"))
          && !p.toString().contains("/target/")).toList()) {
        Matcher m = PINNED.matcher(Files.readString(pom));
        while (m.find()) {
          if (!m.group(3).equals("${project.version}")) {
            pinned.add(ROOT.relativize(pom) + ": " + m.group(2).replaceAll("\\s+", " ").trim() + " " + m.group(3));
          }
        }
      }
    }
    assertThat(pinned).isEmpty();
    assertThat(ROOT.resolve("pom.xml")).exists();
  }
}
