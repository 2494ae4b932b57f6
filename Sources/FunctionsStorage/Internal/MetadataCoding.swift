internal import Foundation

/// User metadata as stored: a JSON object with sorted keys.
package enum MetadataCoding {
  package static func encode(_ metadata: [String: String]) -> String {
    guard !metadata.isEmpty else { return "{}" }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // Encoding [String: String] cannot fail.
    let data = (try? encoder.encode(metadata)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  package static func decode(_ text: String) -> [String: String] {
    guard text != "{}" else { return [:] }
    return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
  }
}
