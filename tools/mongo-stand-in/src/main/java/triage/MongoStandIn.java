package triage;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Starts mongo-java-server's in-memory backend on 127.0.0.1:PORT (0 = any free port),
 * prints "READY <port>" once it accepts connections, and shuts down when stdin closes,
 * so the Node process that spawned it never leaves it orphaned.
 */
public final class MongoStandIn {
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    MongoServer server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", port);
    InetSocketAddress address = server.getLocalAddress();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("READY " + address.getPort());
    System.out.flush();
    // Block until our parent closes stdin (or dies), then stop.
    while (System.in.read() != -1) {
      // ignore input
    }
    server.shutdownNow();
    System.exit(0);
  }
}
