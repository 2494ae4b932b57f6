internal import FunctionsStorage

/// A `Range` / `x-ms-range` header: `bytes=a-b` or `bytes=a-` (one range; Azure serves no more).
enum RangeHeader {
  /// Parses `bytes=start-end` / `bytes=start-`.
  ///
  /// - Returns: `nil` when the text is not one such range (multiple ranges, suffix ranges
  ///   `bytes=-n`, end before start, other units).
  static func parse(_ text: String) -> ByteRange? {
    let trimmed = text.trimmingPrefix(while: { $0 == " " })
    guard trimmed.hasPrefix("bytes=") else { return nil }
    let spec = trimmed.dropFirst("bytes=".count)
    guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
    guard let start = Int64(spec[..<dash]), start >= 0 else { return nil }
    let endText = spec[spec.index(after: dash)...]
    if endText.isEmpty { return ByteRange(start: start, end: nil) }
    guard let end = Int64(endText), end >= start else { return nil }
    return ByteRange(start: start, end: end)
  }

  /// The range a GET asks for: `x-ms-range` wins over `Range`.
  ///
  /// - Throws: `InvalidHeaderValue` for a malformed `x-ms-range` (a malformed `Range` is ignored,
  ///   as HTTP requires).
  static func requested(in request: StorageRequest) throws(StorageError) -> ByteRange? {
    if let text = request.header(.xMsRange) {
      guard let range = parse(text) else {
        throw StorageError.endpoint(
          .invalidHeaderValue, "The value for one of the HTTP headers is not in the correct format: x-ms-range=\(text).")
      }
      return range
    }
    return request.header(.rangeHeader).flatMap(parse)
  }
}
