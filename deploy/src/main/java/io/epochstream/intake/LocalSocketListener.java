package io.epochstream.intake;

import io.epochstream.usage.UsageException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens on a local socket ({@code unix:PATH}, or {@code [HOST:]PORT} on 127.0.0.1 by default):
 * every connection (one per rank) is read on its own thread, its lines queued in order, so lines
 * of different ranks never interleave within a line.
 */
public final class LocalSocketListener implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path unixPath;
  private final BlockingQueue<SourceLine> out;
  private final AtomicInteger connections = new AtomicInteger();
  private final Thread acceptor;

  public LocalSocketListener(String address, BlockingQueue<SourceLine> out) throws IOException {
    this.out = out;
    SocketAddress bind;
    if (address.startsWith("unix:")) {
      unixPath = Path.of(address.substring("unix:".length()));
      Files.deleteIfExists(unixPath); // a socket file left by an earlier listener
      bind = UnixDomainSocketAddress.of(unixPath);
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      unixPath = null;
      String hostPort = address.startsWith("tcp:") ? address.substring("tcp:".length()) : address;
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? "127.0.0.1" : hostPort.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new UsageException("--listen takes unix:PATH or [HOST:]PORT, not '" + address + "'");
      }
      bind = new InetSocketAddress(host, port);
      server = ServerSocketChannel.open();
    }
    server.bind(bind);
    acceptor = new Thread(this::accept, "listen-" + address);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Where writers connect: {@code unix:PATH} or {@code tcp:HOST:PORT} (the port chosen when 0 was asked). */
  public String address() throws IOException {
    if (unixPath != null) {
      return "unix:" + unixPath;
    }
    InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
    return "tcp:" + a.getHostString() + ":" + a.getPort();
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel channel = server.accept();
        String name = "connection-" + connections.incrementAndGet();
        Thread reader = new Thread(() -> read(channel, name), name);
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void read(SocketChannel channel, String name) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
      long lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.put(new SourceLine(name, ++lineNumber, line));
      }
    } catch (IOException e) {
      // the writer went away: what it sent whole was queued
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    if (unixPath != null) {
      Files.deleteIfExists(unixPath);
    }
  }
}
