internal import FunctionsStorage
internal import Hummingbird

extension BlobOperations {
  /// List Blobs: `prefix`, `marker`, `maxresults`, `include=metadata` and `delimiter` (names
  /// sharing a prefix up to the delimiter are reported once, as a `BlobPrefix`).
  func listBlobs(_ request: StorageRequest, container: String) async throws -> Response {
    let prefix = request.target.query("prefix").flatMap { $0.isEmpty ? nil : $0 }
    let marker = request.target.query("marker").flatMap { $0.isEmpty ? nil : $0 }
    let delimiter = request.target.query("delimiter").flatMap { $0.isEmpty ? nil : $0 }
    let maxResults = try request.integerQuery("maxresults", default: 5000, range: 1...5000)!
    let entries: [BlobXML.ListEntry]
    let nextMarker: String?
    if let delimiter {
      (entries, nextMarker) = try await groupedListing(
        container: container, prefix: prefix ?? "", delimiter: delimiter, marker: marker, maxResults: maxResults)
    } else {
      let page = try await store.listBlobs(container: container, prefix: prefix, marker: marker, maxResults: maxResults)
      entries = page.items.map { .blob($0) }
      nextMarker = page.nextMarker
    }
    let xml = BlobXML.blobList(
      entries, nextMarker: nextMarker, serviceEndpoint: serviceEndpoint(request), container: container,
      prefix: prefix, marker: marker, maxResults: maxResults, delimiter: delimiter,
      includeMetadata: Self.includes(request, "metadata"))
    return .xml(.ok, xml)
  }

  /// Up to `maxResults` entries from `marker` on, with names containing `delimiter` after `prefix`
  /// folded into one `BlobPrefix` each, and the marker of the next page (the first name of the
  /// entry after the last one returned).
  private func groupedListing(
    container: String, prefix: String, delimiter: String, marker: String?, maxResults: Int
  ) async throws -> ([BlobXML.ListEntry], String?) {
    var entries: [BlobXML.ListEntry] = []
    var cursor = marker
    var lastPrefix: String?
    while true {
      let wanted = min(5000, maxResults + 1 - entries.count)
      let page = try await store.listBlobs(container: container, prefix: prefix, marker: cursor, maxResults: wanted)
      var skipTo: String?
      for blob in page.items {
        let rest = blob.name.dropFirst(prefix.count)
        guard let range = rest.firstRange(of: delimiter) else {
          if entries.count == maxResults { return (entries, blob.name) }
          entries.append(.blob(blob))
          continue
        }
        let group = prefix + rest[..<range.upperBound]
        if group == lastPrefix { continue }
        if entries.count == maxResults { return (entries, blob.name) }
        entries.append(.prefix(group))
        lastPrefix = group
        // Skip the rest of the group in the store rather than reading it page by page: every name
        // with this prefix sorts below the prefix followed by the highest code points.
        skipTo = group + "\u{10FFFF}\u{10FFFF}"
        break
      }
      if let skipTo {
        cursor = skipTo
        continue
      }
      guard let next = page.nextMarker else { return (entries, nil) }
      cursor = next
    }
  }
}
