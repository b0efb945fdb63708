package triage;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Starts mongo-java-server on 127.0.0.1:PORT (0 = any free port), prints "READY <port>" once it
 * accepts connections, and shuts down when stdin closes, so the Node process that spawned it
 * never leaves it orphaned.
 *
 * <p>Usage: {@code java -jar mongo-stand-in.jar PORT [DATA_FILE]}. Without DATA_FILE the data
 * lives in memory (tests); with it, in an H2 MVStore file that survives restarts (npm start).
 * MVStore commits in the background about once a second and on close, so a clean stop keeps
 * everything and a hard kill may lose the last second of writes.
 */
public final class MongoStandIn {
  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    MongoBackend backend = args.length > 1 ? new H2Backend(args[1]) : new MemoryBackend();
    MongoServer server = new MongoServer(backend);
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
