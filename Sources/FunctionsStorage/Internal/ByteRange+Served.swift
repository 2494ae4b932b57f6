extension ByteRange {
  /// The bytes a Get Blob serves from a blob of `length` bytes for the requested `range` (`nil`: all of it;
  /// an empty blob serves nothing), as Azure answers: a range ending past the end is cut, one starting at
  /// or past the end is ``StorageError/Code/invalidRange``. Every store shares this rule.
  package static func served(_ range: ByteRange?, length: Int64, container: String, name: String)
    throws(StorageError) -> ClosedRange<Int64>?
  {
    guard let range else { return length > 0 ? 0...(length - 1) : nil }
    let end = min(range.end ?? (length - 1), length - 1)
    guard range.start >= 0, range.start < length, end >= range.start else {
      throw StorageError(
        code: .invalidRange,
        message: "range bytes=\(range.start)-\(range.end.map(String.init) ?? "") is outside blob '\(name)' "
          + "in container '\(container)' of \(length) bytes")
    }
    return range.start...end
  }
}
