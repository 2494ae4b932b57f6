internal import Foundation

/// The message the blob-trigger watcher puts on the host's blob-trigger queue for each new blob version,
/// in the stock host's JSON shape (storage-bindings.md §3.5).
struct BlobTriggerMessage: Codable, Sendable, Hashable {
  /// Always `BlobTrigger`.
  var type = "BlobTrigger"
  /// `Host.Functions.<name>`.
  var functionID: String
  /// Always `BlockBlob`.
  var blobType = "BlockBlob"
  /// The container.
  var containerName: String
  /// The blob name.
  var blobName: String
  /// The ETag of the version that triggers.
  var etag: String

  enum CodingKeys: String, CodingKey {
    case type = "Type"
    case functionID = "FunctionId"
    case blobType = "BlobType"
    case containerName = "ContainerName"
    case blobName = "BlobName"
    case etag = "ETag"
  }

  /// The host queue all blob-trigger messages of this app go through.
  static let queue = "azure-webjobs-blobtrigger-functions-host"
  /// Where a blob that failed `poisonBlobThreshold` times goes (stock name).
  static let poisonQueue = "webjobs-blobtrigger-poison"

  /// The stock function id of a function.
  static func functionID(of name: String) -> String { "Host.Functions.\(name)" }

  /// Compact JSON bytes.
  func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array((try? encoder.encode(self)) ?? Data())
  }

  /// Parses a message body; `nil` when it is not one.
  static func decode(_ body: [UInt8]) -> BlobTriggerMessage? {
    try? JSONDecoder().decode(BlobTriggerMessage.self, from: Data(body))
  }
}
