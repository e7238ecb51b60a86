import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The end of the test command: every test the last build skipped, with the reason its assumption
 * gave, from the surefire reports under each module's target/. Run as {@code java .ci/SkippedTests.java}
 * from the repository root (a single-file program: no build of its own).
 */
public class SkippedTests {
  public static void main(String[] args) throws Exception {
    List<String> skipped = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("."))) {
      for (Path report : files.filter(SkippedTests::isReport).sorted().toList()) {
        NodeList cases = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(report.toFile()).getElementsByTagName("testcase");
        for (int i = 0; i < cases.getLength(); i++) {
          Element testcase = (Element) cases.item(i);
          NodeList skip = testcase.getElementsByTagName("skipped");
          if (skip.getLength() > 0) {
            String reason = ((Element) skip.item(0)).getAttribute("message");
            skipped.add(testcase.getAttribute("classname") + "." + testcase.getAttribute("name") + ": "
                + (reason.isBlank() ? "(no reason given)" : reason.strip()));
          }
        }
      }
    }
    System.out.println(skipped.isEmpty() ? "skipped tests: none" : "skipped tests: " + skipped.size());
    skipped.forEach(s -> System.out.println("  " + s));
  }

  private static boolean isReport(Path p) {
    String name = p.getFileName().toString();
    return name.startsWith("TEST-") && name.endsWith(".xml") && p.getParent() != null
        && p.getParent().getFileName().toString().equals("surefire-reports") && !p.toString().contains("/.git/");
  }
}
