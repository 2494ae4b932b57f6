/// A blob trigger's `path`, e.g. `input/{blobname}.{blobextension}`: which blobs fire the trigger,
/// and the binding data their names give.
///
/// The stock host turns the blob part into the anchored regex `^literal(?<name>.*)literal…$`; this
/// matcher gives the same captures without building a regex. Each `{name}` matches any run of
/// characters except a newline (.NET `.`), greedily, backtracking over the literal parts; so
/// `{name}.{ext}` on `a.b.txt` gives `name = a.b`, `ext = txt`. Literals compare exactly (ordinal,
/// case-sensitive), `{{`/`}}` stand for literal braces, and a name used twice keeps its last capture.
/// Dotted names, formats and built-ins are not allowed in a trigger path (stock: "Capture
/// expressions can't include dot operators").
///
/// ```swift
/// let pattern = try BlobPathPattern.parse("input/{blobname}.{blobextension}", appSettings: [:], site: site)
/// pattern.match(container: "input", blobName: "original-Blob1.txt")
/// // ["blobname": "original-Blob1", "blobextension": "txt"]
/// ```
package struct BlobPathPattern: Sendable, Hashable {
  /// One piece of the blob-name pattern.
  package enum Segment: Sendable, Hashable {
    /// Literal text.
    case literal([Unicode.Scalar])
    /// A capture, by name.
    case capture(String)
  }

  /// The container watched.
  package let container: String
  /// The blob-name pattern.
  package let segments: [Segment]
  /// The path as written (for messages and banners).
  package let source: String

  /// The capture names, in order of first appearance.
  package var parameterNames: [String] {
    var seen: [String] = []
    for case .capture(let n) in segments where !seen.contains(n) { seen.append(n) }
    return seen
  }

  /// Parses a blob trigger `path`.
  package static func parse(
    _ source: String, appSettings: [String: String], site: BindingSite
  ) throws(BindingExpressionError) -> BlobPathPattern {
    let (container, rest) = try BlobPath.split(source, appSettings: appSettings, site: site)
    let template = try BindingTemplate.parse(resolved: rest, source: source, site: site)
    var segments: [Segment] = []
    for token in template.tokens {
      switch token {
      case .literal(let s): segments.append(.literal(Array(s.unicodeScalars)))
      case .expression(let e):
        guard e.path.count == 1, e.format == nil, e.builtin == nil else {
          throw site.error(
            .invalidPath,
            "invalid blob trigger \(site.property) '\(source)': '{\(e.text)}' cannot capture; "
              + "use plain names like {name} (no dots, formats or built-ins)")
        }
        segments.append(.capture(e.name))
      }
    }
    return BlobPathPattern(container: container, segments: segments, source: source)
  }

  /// The literal text every matching blob name starts with (for listing with a prefix), or `nil`
  /// when the pattern starts with a capture.
  package var literalPrefix: String? {
    guard case .literal(let lit)? = segments.first, !lit.isEmpty else { return nil }
    return String(String.UnicodeScalarView(lit))
  }

  /// The captures when a blob of ``container`` named `blobName` matches, `nil` otherwise.
  package func match(_ blobName: String) -> [String: String]? {
    match(container: container, blobName: blobName)
  }

  /// The captures when `blobName` in `container` matches, `nil` otherwise. A later capture of the same
  /// name wins.
  package func match(container: String, blobName: String) -> [String: String]? {
    guard container == self.container else { return nil }
    let name = Array(blobName.unicodeScalars)
    var ends = [Int](repeating: 0, count: segments.count)
    var failed = Set<Int>()
    guard matchFrom(0, name, 0, &ends, &failed) else { return nil }
    var captures: [String: String] = [:]
    var position = 0
    for (index, segment) in segments.enumerated() {
      switch segment {
      case .literal(let lit): position += lit.count
      case .capture(let key):
        captures[key] = String(String.UnicodeScalarView(name[position..<ends[index]]))
        position = ends[index]
      }
    }
    return captures
  }

  /// The captures when `path` (`container/blobName`) matches, `nil` otherwise.
  package func match(blobPath path: String) -> [String: String]? {
    guard let slash = path.firstIndex(of: "/") else { return nil }
    return match(container: String(path[..<slash]), blobName: String(path[path.index(after: slash)...]))
  }

  /// Matches `segments[s...]` against `name[p...]`, anchored at the end, recording where each capture
  /// ends. Captures take the longest text first (`.*` up to a newline). A state `(s, p)` that failed once
  /// fails again (captures do not refer back), so it is remembered: without that, adjacent captures
  /// backtrack exponentially and a crafted blob name could stall the trigger (found by fuzzing).
  private func matchFrom(
    _ s: Int, _ name: [Unicode.Scalar], _ p: Int, _ ends: inout [Int], _ failed: inout Set<Int>
  ) -> Bool {
    guard s < segments.count else { return p == name.count }
    let state = s * (name.count + 1) + p
    if failed.contains(state) { return false }
    switch segments[s] {
    case .literal(let lit):
      if p + lit.count <= name.count, name[p..<p + lit.count].elementsEqual(lit),
        matchFrom(s + 1, name, p + lit.count, &ends, &failed)
      {
        return true
      }
    case .capture:
      var limit = p
      while limit < name.count, name[limit] != "\n" { limit += 1 }
      var end = limit
      while end >= p {
        ends[s] = end
        if matchFrom(s + 1, name, end, &ends, &failed) { return true }
        end -= 1
      }
    }
    failed.insert(state)
    return false
  }
}

extension BlobPathPattern {
  /// Parses a blob trigger `path`; errors name `function` and `binding`.
  package init(parsing source: String, settings: [String: String], function: String, binding: String) throws(BindingExpressionError) {
    self = try BlobPathPattern.parse(
      source, appSettings: settings, site: BindingSite(functionName: function, bindingName: binding, property: "path"))
  }
}
