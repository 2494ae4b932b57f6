import Foundation
import Synchronization

/// A throwaway PostgreSQL cluster for the tests of this process: `initdb` into a temporary folder
/// (as the `postgres` system user when the tests run as root, since initdb refuses root), started
/// with `pg_ctl start -w` (which returns once the server accepts connections) on a free loopback
/// port with its socket in that folder, stopped when the process exits. Each test takes a fresh
/// database of its own (``createDatabase()``), so tests stay independent.
///
/// The cluster uses password authentication over TCP (so a wrong password can be tested) and trust
/// over its private Unix socket (for `createdb`). Durability is off (`fsync=off`): it is a test cluster.
///
/// Set `FUNCTIONS_HOST_TEST_PG_BIN` to use another PostgreSQL's `bin` directory.
final class PostgresTestCluster: Sendable {
  /// The superuser and its password.
  static let user = "postgres"
  static let password = "functions-host-test"
  /// The prefix of the temporary folders, for the clean-up of clusters left by killed test processes.
  private static let folderPrefix = "functions-host-pg-"

  /// PostgreSQL's `bin` directory, if PostgreSQL is installed.
  static let binDirectory: String? = {
    let fileManager = FileManager.default
    if let custom = ProcessInfo.processInfo.environment["FUNCTIONS_HOST_TEST_PG_BIN"] {
      return fileManager.isExecutableFile(atPath: custom + "/initdb") ? custom : nil
    }
    let root = "/usr/lib/postgresql"
    let versions = ((try? fileManager.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
    for version in versions.reversed() where fileManager.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
      return "\(root)/\(version)/bin"
    }
    return nil
  }()

  /// Whether the PostgreSQL tests can run here.
  static var isInstalled: Bool { binDirectory != nil }

  /// Why the PostgreSQL tests are skipped, when they are.
  static let skipMessage =
    "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): the PostgreSQL store tests are "
    + "skipped. Install Debian's postgresql package (apt-get install postgresql) to run them."

  /// The one cluster of this test process, started on first use.
  static let shared: Result<PostgresTestCluster, any Error> = Result { try PostgresTestCluster() }

  let folder: String
  let port: Int
  private let bin: String
  private let runAs: String?
  private let databaseCounter = Mutex(0)

  private init() throws {
    guard let bin = Self.binDirectory else { throw ClusterError(Self.skipMessage) }
    self.bin = bin
    runAs = geteuid() == 0 ? Self.user : nil
    Self.removeAbandonedClusters()
    var template = Array((NSTemporaryDirectory() + Self.folderPrefix + "XXXXXX").utf8CString)
    guard let created = mkdtemp(&template) else { throw ClusterError("mkdtemp failed: errno \(errno)") }
    folder = String(cString: created)
    try "\(getpid())".write(toFile: folder + "/owner.pid", atomically: true, encoding: .utf8)
    try Self.password.write(toFile: folder + "/password", atomically: true, encoding: .utf8)
    if let runAs {
      guard let account = getpwnam(runAs) else {
        throw ClusterError("the tests run as root and there is no '\(runAs)' user to run initdb as")
      }
      for path in [folder, folder + "/password"] { chown(path, account.pointee.pw_uid, account.pointee.pw_gid) }
    }
    try Self.run(
      runAs, bin + "/initdb",
      ["-D", folder + "/data", "-U", Self.user, "--pwfile=" + folder + "/password", "--auth-host=scram-sha-256",
       "--auth-local=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"])
    var lastError: (any Error)?
    var started: Int?
    for _ in 0..<3 where started == nil {
      let port = try Self.freePort()
      let options = [
        "-p \(port)", "-k \(folder)", "-c listen_addresses=127.0.0.1", "-c fsync=off", "-c synchronous_commit=off",
        "-c full_page_writes=off", "-c max_connections=400", "-c shared_buffers=32MB",
      ].joined(separator: " ")
      do {
        try Self.run(
          runAs, bin + "/pg_ctl", ["start", "-w", "-t", "60", "-D", folder + "/data", "-l", folder + "/server.log", "-o", options])
        started = port
      } catch {
        lastError = error
      }
    }
    guard let started else {
      let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
      throw ClusterError("the test PostgreSQL cluster did not start: \(lastError.map { "\($0)" } ?? "")\n\(log)")
    }
    port = started
    Self.stopAtExit(folder: folder)
  }

  /// Creates a fresh, empty database and returns its name.
  func createDatabase() throws -> String {
    let number = databaseCounter.withLock { counter in
      counter += 1
      return counter
    }
    let name = "test_\(number)_\(UUID().uuidString.prefix(8).lowercased())"
    try Self.run(nil, bin + "/createdb", ["-h", folder, "-p", "\(port)", "-U", Self.user, name])
    return name
  }

  /// Drops `database` (closing its remaining connections).
  func dropDatabase(_ name: String) throws {
    try Self.run(nil, bin + "/dropdb", ["-h", folder, "-p", "\(port)", "-U", Self.user, "--force", name])
  }

  /// The URL of `database`, with the superuser's password (or `password`), over TCP.
  func url(database: String, password: String = PostgresTestCluster.password) -> String {
    "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
  }

  // MARK: Processes

  struct ClusterError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  /// Runs a PostgreSQL program to completion (as `user` via runuser when given), failing with its output.
  ///
  /// Spawned with `posix_spawn`, every descriptor above stderr closed in the child: the server that
  /// `pg_ctl start` leaves running inherits its descriptors, and Foundation's `Process` waits for
  /// all holders of its own descriptors to exit (it would wait for the server).
  private static func run(_ user: String?, _ program: String, _ arguments: [String]) throws {
    let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--", program] } ?? [program]
    let all = argv + arguments
    let outputPath = NSTemporaryDirectory() + "functions-host-pgout-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    guard let closeFrom = Self.addCloseFrom else {
      throw ClusterError("posix_spawn_file_actions_addclosefrom_np is missing (glibc 2.34 or later is needed)")
    }
    _ = closeFrom(&actions, 3)
    var cArguments = all.map { strdup($0) } + [nil]
    defer { for argument in cArguments { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
    guard spawned == 0 else { throw ClusterError("cannot start \(argv[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw ClusterError("waitpid failed: errno \(errno)") }
    }
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // WIFEXITED and WEXITSTATUS, which Swift does not import as macros.
    let exited = status & 0x7f == 0
    let code = (status >> 8) & 0xff
    guard exited, code == 0 else {
      throw ClusterError(
        "\(program) \(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
    }
  }

  /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift does not import.
  private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
    else { return nil }
    return unsafeBitCast(
      symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
  }()

  /// A TCP port on 127.0.0.1 that was free a moment ago.
  private static func freePort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw ClusterError("socket() failed: errno \(errno)") }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
    }
    guard bound == 0 else { throw ClusterError("bind() failed: errno \(errno)") }
    let named = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
    }
    guard named == 0 else { throw ClusterError("getsockname() failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  // MARK: Stopping

  /// This process's cluster folder, for the exit handler (a C function cannot capture).
  nonisolated(unsafe) private static var folderAtExit: String?

  private static func stopAtExit(folder: String) {
    folderAtExit = folder
    atexit {
      guard let folder = PostgresTestCluster.folderAtExit else { return }
      PostgresTestCluster.stop(folder: folder)
    }
  }

  /// Stops the cluster in `folder` at once (`pg_ctl stop -m immediate -w`, which returns when the
  /// server is gone) and deletes the folder. Used at exit and for clusters left behind by killed
  /// test processes.
  private static func stop(folder: String) {
    if let bin = binDirectory,
      let text = try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8),
      let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces)),
      isPostmaster(pid, of: folder)
    {
      try? run(
        geteuid() == 0 ? user : nil, bin + "/pg_ctl", ["stop", "-m", "immediate", "-w", "-t", "30", "-D", folder + "/data"])
    }
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// Whether `pid` is still the postmaster of the cluster in `folder` (not a reused process id).
  private static func isPostmaster(_ pid: pid_t, of folder: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
    let arguments = String(decoding: data, as: UTF8.self).split(separator: "\0").map(String.init)
    return arguments.first?.hasSuffix("postgres") == true && arguments.contains(folder + "/data")
  }

  /// Stops and deletes the clusters of test processes that no longer exist (killed before their exit handler ran).
  private static func removeAbandonedClusters() {
    let temporary = NSTemporaryDirectory()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
    for entry in entries where entry.hasPrefix(folderPrefix) {
      let folder = temporary + entry
      guard let text = try? String(contentsOfFile: folder + "/owner.pid", encoding: .utf8),
        let owner = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
      else {
        // A half-removed folder (not one being created right now): gone once its server is.
        let modified = (try? FileManager.default.attributesOfItem(atPath: folder)[.modificationDate]) as? Date
        if let modified, modified < Date(timeIntervalSinceNow: -60),
          !FileManager.default.fileExists(atPath: folder + "/data/postmaster.pid")
        {
          stop(folder: folder)
        }
        continue
      }
      if kill(owner, 0) != 0 && errno == ESRCH { stop(folder: folder) }
    }
  }
}
