package io.epochstream.it;

import io.epochstream.testing.RequiredTool;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless chromium driven through the system's chromedriver (Debian: {@code apt-get install -y
 * chromium chromium-driver}); Selenium Manager is never asked to download one. Other locations:
 * {@code -Depochstream.test.chromium=PATH -Depochstream.test.chromedriver=PATH}.
 */
final class Chromium implements AutoCloseable {
  private static final Path BROWSER = Path.of(System.getProperty("epochstream.test.chromium", "/usr/bin/chromium"));
  private static final Path DRIVER = Path.of(System.getProperty("epochstream.test.chromedriver", "/usr/bin/chromedriver"));
  private final ChromeDriver driver;

  private Chromium(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Skips the calling test, saying why, where no browser is installed (fails it under CI=true). */
  static void assumeInstalled() {
    RequiredTool.require(Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER),
        "skipped: no chromium at " + BROWSER + " or no chromedriver at " + DRIVER
            + " (apt-get install -y chromium chromium-driver, or -Depochstream.test.chromium / -Depochstream.test.chromedriver)");
  }

  static Chromium start() {
    return start(null);
  }

  /** With {@code downloads}: files the page saves (a chart's CSV) land there, unasked. */
  static Chromium start(Path downloads) {
    ChromeOptions options = new ChromeOptions();
    if (downloads != null) {
      options.setExperimentalOption("prefs", java.util.Map.of("download.default_directory", downloads.toString(),
          "download.prompt_for_download", false));
    }
    options.setBinary(BROWSER.toFile());
    // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(DRIVER.toString()))
        .usingAnyFreePort().build();
    return new Chromium(new ChromeDriver(service, options));
  }

  ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
